package dev.lodestone.judge.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lodestone.judge.TextPreference;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chat-completions server on loopback that judges like a language model whose taste is a known
 * preference: the yardstick for LLM judges, as the game oracle is for the learner. It reads the two
 * responses out of a message written with {@link PairwiseTemplate#DEFAULT} (other templates are
 * answered with HTTP 400) and answers the letter of the better one under {@code preference}:
 *
 * <ul>
 *   <li>when the request asks for log-probabilities and the server gives them, the letter of the
 *       more probable response with {@code top_logprobs} ln P(A) and ln P(B) (a letter of
 *       probability 0 is left out), so the judge reads P(A) exactly;
 *   <li>otherwise a verdict drawn from P(A), as a model sampled at temperature 1 answers (whatever
 *       temperature the request names); the draws are a seeded stream, so a sequence of requests
 *       gets the same verdicts for the same seed.
 * </ul>
 *
 * <p>Faults can be injected per request (numbered from 1): a delay, an HTTP status, or a body that
 * is not JSON. Used by {@code lodestone bench llm-server} and the tests.
 */
public final class OracleChatServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RESPONSE_A =
      Pattern.compile("\\[Response A]\\n(.*?)\\n\\[End of Response A]", Pattern.DOTALL);
  private static final Pattern RESPONSE_B =
      Pattern.compile("\\[Response B]\\n(.*?)\\n\\[End of Response B]", Pattern.DOTALL);

  /**
   * A fault to inject into one request.
   *
   * @param delay how long to wait before answering (zero: none)
   * @param status the HTTP status to answer with instead of a completion (0: none)
   * @param notJson answer 200 with a body that is not JSON
   */
  public record Fault(Duration delay, int status, boolean notJson) {
    /** No fault. */
    public static final Fault NONE = new Fault(Duration.ZERO, 0, false);

    /** Wait before answering normally. */
    public static Fault slow(Duration delay) {
      return new Fault(delay, 0, false);
    }

    /** Answer with this HTTP status. */
    public static Fault status(int status) {
      return new Fault(Duration.ZERO, status, false);
    }

    /** Answer 200 with a body that is not JSON. */
    public static Fault malformed() {
      return new Fault(Duration.ZERO, 0, true);
    }
  }

  /** The fault of each request. */
  @FunctionalInterface
  public interface Faults {
    /** No faults. */
    Faults NONE = (request, message) -> Fault.NONE;

    /**
     * The fault to inject.
     *
     * @param request the request's number, from 1
     * @param message the request's last message (the rendered template)
     * @return the fault, or {@link Fault#NONE}
     */
    Fault of(long request, String message);
  }

  /** How the server picks its answer. */
  public enum Answers {
    /** From the preference, as described above. */
    PREFERENCE,
    /** Always "A", whatever the responses: a judge with pure position bias. */
    ALWAYS_A
  }

  private final TextPreference preference;
  private final boolean logprobs;
  private final Answers answers;
  private final Faults faults;
  private final AtomicLong requests = new AtomicLong();
  private final SplittableRandom draws;
  private final AtomicLong answered = new AtomicLong();
  private final Javalin app;

  /**
   * Starts a server on 127.0.0.1.
   *
   * @param preference P(a over b) for two response texts
   * @param logprobs whether to give log-probabilities when asked for them
   * @param seed seeds the verdicts drawn without log-probabilities
   * @param answers how to answer
   * @param faults the fault of each request
   * @param port the port, 0 for any free one
   */
  public OracleChatServer(
      TextPreference preference,
      boolean logprobs,
      long seed,
      Answers answers,
      Faults faults,
      int port) {
    this.preference = Objects.requireNonNull(preference, "preference");
    this.logprobs = logprobs;
    this.answers = Objects.requireNonNull(answers, "answers");
    this.faults = Objects.requireNonNull(faults, "faults");
    this.draws = new SplittableRandom(seed);
    this.app =
        Javalin.create(c -> c.showJavalinBanner = false)
            .post("/v1/chat/completions", this::complete)
            .start("127.0.0.1", port);
  }

  /** A fault-free server answering from the preference. */
  public static OracleChatServer of(TextPreference preference, boolean logprobs, long seed) {
    return new OracleChatServer(preference, logprobs, seed, Answers.PREFERENCE, Faults.NONE, 0);
  }

  /** The API's base URL, e.g. {@code http://127.0.0.1:41234/v1}. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + app.port() + "/v1");
  }

  /** Requests received so far. */
  public long requests() {
    return requests.get();
  }

  /** Requests answered with a completion so far. */
  public long answered() {
    return answered.get();
  }

  private void complete(Context ctx) throws Exception {
    long number = requests.incrementAndGet();
    JsonNode body;
    try {
      body = JSON.readTree(ctx.bodyAsBytes());
    } catch (IOException e) {
      ctx.status(400).json(error("the body is not JSON: " + e.getMessage()));
      return;
    }
    JsonNode messages = body.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      ctx.status(400).json(error("messages must be a non-empty array"));
      return;
    }
    String message = messages.get(messages.size() - 1).path("content").asText("");
    Fault fault = faults.of(number, message);
    if (fault == null) {
      fault = Fault.NONE;
    }
    if (!fault.delay().isZero()) {
      Thread.sleep(fault.delay().toMillis());
    }
    if (fault.status() != 0) {
      ctx.status(fault.status()).json(error("injected fault: HTTP " + fault.status()));
      return;
    }
    if (fault.notJson()) {
      ctx.status(200).contentType("application/json").result("{\"choices\": [ this is not json");
      return;
    }
    Matcher a = RESPONSE_A.matcher(message);
    Matcher b = RESPONSE_B.matcher(message);
    if (!a.find() || !b.find()) {
      ctx.status(400).json(error("the message was not written with the default judge template"));
      return;
    }
    double p = answers == Answers.ALWAYS_A ? 1.0 : preference.prefer(a.group(1), b.group(1));
    boolean giveLogprobs = logprobs && body.path("logprobs").asBoolean(false);
    String letter;
    if (giveLogprobs || answers == Answers.ALWAYS_A) {
      letter = p >= 0.5 ? "A" : "B";
    } else {
      letter = draw() < p ? "A" : "B";
    }
    ObjectNode choice = JSON.createObjectNode();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", letter);
    choice.put("finish_reason", "stop");
    if (giveLogprobs) {
      ObjectNode token = JSON.createObjectNode();
      token.put("token", letter);
      token.put("logprob", Math.log(letter.equals("A") ? p : 1.0 - p));
      token.putNull("bytes");
      ArrayNode top = token.putArray("top_logprobs");
      if (p > 0.0) {
        top.addObject().put("token", "A").put("logprob", Math.log(p)).putNull("bytes");
      }
      if (p < 1.0) {
        top.addObject().put("token", "B").put("logprob", Math.log(1.0 - p)).putNull("bytes");
      }
      choice.putObject("logprobs").putArray("content").add(token);
    } else {
      choice.putNull("logprobs");
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("id", "chatcmpl-" + requests.get());
    out.put("object", "chat.completion");
    out.put("created", System.currentTimeMillis() / 1000);
    out.put("model", body.path("model").asText("oracle"));
    out.putArray("choices").add(choice);
    int promptTokens = Math.max(1, message.length() / 4);
    out.putObject("usage")
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", 1)
        .put("total_tokens", promptTokens + 1);
    answered.incrementAndGet();
    ctx.status(200).contentType("application/json").result(JSON.writeValueAsString(out));
  }

  /** The next uniform number in [0, 1) of the seeded stream. */
  private synchronized double draw() {
    return draws.nextDouble();
  }

  private static ObjectNode error(String message) {
    ObjectNode e = JSON.createObjectNode();
    e.putObject("error").put("message", message).put("type", "server_error");
    return e;
  }

  @Override
  public void close() {
    app.stop();
  }
}
