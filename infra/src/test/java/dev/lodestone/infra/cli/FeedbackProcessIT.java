package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.chaos.ChaosStack;
import dev.lodestone.infra.chaos.LodestoneProcess;
import dev.lodestone.infra.chaos.TopicReader;
import dev.lodestone.judge.human.AnnotatorTokens;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lodestone feedback} as a process of its own, killed with SIGKILL while two annotators
 * answer through the API and restarted: every answer the service confirmed is on {@code labels}
 * once, no pair is labelled twice, the item one annotator held but had not answered is offered
 * again, and every pair is labelled in the end. No token appears in the service's output.
 */
@Tag("integration")
class FeedbackProcessIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] MOVES = {"rock", "paper", "scissors"};
  private static final int GROUPS = 60;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static LocalStack stack;
  private static ClusterConfig cluster;

  @TempDir Path dir;

  @BeforeAll
  static void startStack() {
    stack = new LocalStack(LocalStackConfig.ephemeral());
    stack.start(LocalStack.DEFAULT_START_TIMEOUT);
    cluster = ClusterConfig.of(stack.bootstrapServers(), stack.registryUrl());
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void shouldLoseAndRepeatNoLabelWhenKilledAndRestarted() throws Exception {
    Path tokens = dir.resolve("tokens.json");
    AnnotatorTokens file = AnnotatorTokens.read(tokens);
    Map<String, String> secrets = new HashMap<>();
    for (String a : List.of("ann-1", "ann-2", "holder")) {
      AnnotatorTokens.Created c = file.add(a, Instant.now());
      file = file.with(c.token());
      secrets.put(a, c.secret());
    }
    file.write(tokens);
    int port = ChaosStack.freePort();
    String base = "http://127.0.0.1:" + port + "/";
    List<String> args =
        List.of(
            "feedback",
            "--bootstrap",
            cluster.bootstrapServers(),
            "--registry",
            cluster.registryUrl().toString(),
            "--tokens",
            tokens.toString(),
            "--port",
            Integer.toString(port),
            "--rate-limit",
            "1000");
    sendGroups();

    Set<String> confirmed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    String heldGroup;
    try (LodestoneProcess first = LodestoneProcess.start(dir, "feedback-1", args)) {
      awaitUp(base, first);
      awaitWaiting(base, secrets.get("holder"), GROUPS);
      // "holder" takes an item and never answers it
      heldGroup =
          call(base, secrets.get("holder"), "api/v1/items/next", "").json.get("groupId").asText();
      List<Thread> annotators = new ArrayList<>();
      for (String a : List.of("ann-1", "ann-2")) {
        annotators.add(answering(base, secrets.get(a), confirmed, Long.MAX_VALUE));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (confirmed.size() < 20 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(confirmed.size()).as("answers before the kill").isGreaterThanOrEqualTo(20);
      first.kill(); // SIGKILL, answers in flight
      for (Thread t : annotators) {
        t.join(30_000);
      }
      assertThat(first.stdout() + first.stderr()).doesNotContain("lst_");
    }
    int beforeRestart = confirmed.size();
    assertThat(beforeRestart).isLessThan(GROUPS);

    try (LodestoneProcess second = LodestoneProcess.start(dir, "feedback-2", args)) {
      awaitUp(base, second);
      // the held item was the oldest; its lease died with the process, and it is offered again
      Reply again = call(base, secrets.get("holder"), "api/v1/items/next", "");
      assertThat(again.status).isEqualTo(200);
      assertThat(again.json.get("groupId").asText()).isEqualTo(heldGroup);
      String itemId = again.json.get("itemId").asText();
      Reply answered =
          call(
              base,
              secrets.get("holder"),
              "api/v1/items/" + itemId + "/verdict",
              "{\"verdict\": \"A\"}");
      assertThat(answered.status).isEqualTo(200);
      confirmed.add(heldGroup);
      Thread t = answering(base, secrets.get("ann-1"), confirmed, Long.MAX_VALUE);
      t.join(120_000);
      assertThat(second.stdout() + second.stderr()).doesNotContain("lst_");
    }

    List<PreferenceLabel> labels =
        new TopicReader(cluster).all(Topics.LABELS).stream().map(TopicReader.Read::value).toList();
    Map<String, Integer> perGroup = new HashMap<>();
    for (PreferenceLabel l : labels) {
      assertThat(l.getJudgeKind()).isEqualTo(JudgeKind.HUMAN);
      perGroup.merge(l.getGroupId(), 1, Integer::sum);
    }
    assertThat(perGroup.values()).as("labels per pair").allMatch(n -> n == 1);
    assertThat(perGroup.keySet()).hasSize(GROUPS).containsAll(confirmed);
    assertThat(perGroup.get(heldGroup)).isEqualTo(1);
  }

  /** An annotator answering A on its own thread until the queue is empty or the service is gone. */
  private static Thread answering(String base, String token, Set<String> confirmed, long max) {
    Thread t =
        new Thread(
            () -> {
              try {
                for (long n = 0; n < max; n++) {
                  Reply r = call(base, token, "api/v1/items/next", "");
                  if (r.status != 200) {
                    return; // 204: nothing left
                  }
                  Reply v =
                      call(
                          base,
                          token,
                          "api/v1/items/" + r.json.get("itemId").asText() + "/verdict",
                          "{\"verdict\": \"B\"}");
                  if (v.status == 200) {
                    confirmed.add(r.json.get("groupId").asText());
                  }
                }
              } catch (IOException e) {
                // the service was killed: this annotator stops
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    t.start();
    return t;
  }

  private record Reply(int status, JsonNode json) {}

  private static Reply call(String base, String token, String path, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
  }

  private static void awaitUp(String base, LodestoneProcess p) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("feedback exited:\n%s", p.tail()).isTrue();
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "api/v1/me"))
                    .header("Authorization", "Bearer lst_x")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 401) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("feedback did not start:\n" + p.tail());
  }

  /** Waits until the service's queue holds this many pairs. */
  private static void awaitWaiting(String base, String token, int pairs) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "api/v1/me"))
                  .header("Authorization", "Bearer " + token)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (JSON.readTree(r.body()).get("waitingPairs").asInt() == pairs) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(pairs + " pairs did not arrive");
  }

  private static void sendGroups() throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    try (KafkaProducer<String, SampleGroup> producer =
        new KafkaProducer<>(
            p,
            new StringSerializer(),
            TopicSerdes.valueSerde(Topics.SAMPLES, cluster.registryClient()).serializer())) {
      for (int k = 0; k < GROUPS; k++) {
        String id = "fb-" + k;
        producer.send(
            new ProducerRecord<>(
                Topics.SAMPLES.name(), id, group(id, MOVES[k % 3], MOVES[(k + 1) % 3])));
      }
      producer.flush();
    }
  }

  private static SampleGroup group(String id, String a, String b) {
    List<Response> responses = new ArrayList<>();
    for (String t : List.of(a, b)) {
      responses.add(
          Response.newBuilder()
              .setText(t)
              .setTokenIds(List.of(1, 2))
              .setLogProbs(List.of(-0.5f, -0.5f))
              .setFinished(true)
              .build());
    }
    return SampleGroup.newBuilder()
        .setGroupId(id)
        .setPromptId("p")
        .setTask("perturbed-rps")
        .setPrompt("Choose your move.")
        .setPromptTokenIds(List.of(1))
        .setResponses(responses)
        .setPolicyVersion(0)
        .setMagnetVersion(0)
        .setSamplerId("it")
        .setTime(Instant.now())
        .setModelId("it-feedback")
        .build();
  }
}
