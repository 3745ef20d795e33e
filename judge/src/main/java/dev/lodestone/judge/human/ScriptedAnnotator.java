package dev.lodestone.judge.human;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.games.Games;
import dev.lodestone.games.PreferenceGame;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A simulated annotator for game tasks: it fetches items through the feedback API like any client
 * and answers each with a 0/1 verdict drawn from the game's preference, A with probability P(A over
 * B), else B. It exercises the service end to end (tests, load, demonstrations); it is not a judge
 * of anything but games.
 */
public final class ScriptedAnnotator {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String token;
  private final SplittableRandom random;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, PreferenceGame> games = new HashMap<>();
  private final AtomicLong answers = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  /**
   * @param base the service's address, e.g. {@code http://127.0.0.1:8088/}
   * @param token the annotator's bearer token
   * @param seed seeds the verdicts
   */
  public ScriptedAnnotator(URI base, String token, long seed) {
    this.base = Objects.requireNonNull(base, "base");
    this.token = Objects.requireNonNull(token, "token");
    this.random = new SplittableRandom(seed);
  }

  /** Answers given. */
  public long answers() {
    return answers.get();
  }

  /** Answers the service refused (the item expired or was taken meanwhile). */
  public long refused() {
    return refused.get();
  }

  /**
   * Answers items until {@code stop} says so or {@code maxAnswers} are given; when nothing waits it
   * looks again every {@code idle}.
   *
   * @throws IOException when the service does not answer, or answers with an error other than a
   *     refused item (409, 410) or a rate limit (429, after which it waits a second)
   */
  public void run(long maxAnswers, Duration idle, BooleanSupplier stop)
      throws IOException, InterruptedException {
    while (answers.get() < maxAnswers && !stop.getAsBoolean()) {
      HttpResponse<String> r = post("api/v1/items/next", "");
      if (r.statusCode() == 204) {
        Thread.sleep(idle.toMillis());
        continue;
      }
      if (r.statusCode() == 429) {
        Thread.sleep(1000);
        continue;
      }
      if (r.statusCode() != 200) {
        throw new IOException("items/next answered HTTP " + r.statusCode() + ": " + r.body());
      }
      JsonNode item = JSON.readTree(r.body());
      PreferenceGame game = games.computeIfAbsent(item.get("task").asText(), Games::parse);
      double p = game.judge(item.get("a").get("text").asText(), item.get("b").get("text").asText());
      String verdict = random.nextDouble() < p ? "A" : "B";
      HttpResponse<String> v =
          post(
              "api/v1/items/" + item.get("itemId").asText() + "/verdict",
              "{\"verdict\": \"" + verdict + "\"}");
      if (v.statusCode() == 200) {
        answers.incrementAndGet();
      } else if (v.statusCode() == 409 || v.statusCode() == 410) {
        refused.incrementAndGet();
      } else if (v.statusCode() == 429) {
        Thread.sleep(1000);
      } else {
        throw new IOException("verdict answered HTTP " + v.statusCode() + ": " + v.body());
      }
    }
  }

  private HttpResponse<String> post(String path, String body)
      throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }
}
