package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.chaos.LodestoneProcess;
import dev.lodestone.infra.chaos.TopicReader;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.hf.HfCausalLm;
import dev.lodestone.policy.hf.HfCheckpoint;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code lodestone run --bootstrap} end to end in this JVM, with bad records in {@code samples},
 * {@code labels} and {@code labeled} ahead of the run's own: each ends in {@code dead-letters} with
 * a reason from the component that saw it, and the run still reaches its steps and writes its
 * report and JSON line.
 */
@Tag("integration")
class RunCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long STEPS = 60;

  private static LocalStack stack;
  private static ClusterConfig cluster;

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
  void shouldDeadLetterBadRecordsWithAReasonAndKeepRunningToTheReport() throws Exception {
    Path dir = Files.createTempDirectory("run-it-");
    Path report = dir.resolve("report");
    // Written before the run starts: the run's judges, label join and learner are new consumer
    // groups that read their topics from the beginning, so each meets these records before its
    // first real one, however fast the run goes.
    try (KafkaProducer<String, byte[]> raw =
            new KafkaProducer<>(
                cluster.clientProperties("it-injector"),
                new StringSerializer(),
                new ByteArraySerializer());
        KafkaProducer<String, PreferenceLabel> labels =
            new KafkaProducer<>(
                cluster.clientProperties("it-injector-labels"),
                new StringSerializer(),
                TopicSerdes.valueSerializer(
                    Topics.LABELS, cluster.registryClient(), SchemaRegistration.AUTO_REGISTER))) {
      raw.send(new ProducerRecord<>(Topics.SAMPLES.name(), "garbage-sample", new byte[] {9, 9, 9}));
      raw.send(
          new ProducerRecord<>(Topics.LABELS.name(), "garbage-label", new byte[] {0, 0, 0, 0, 42}));
      raw.send(
          new ProducerRecord<>(Topics.LABELED.name(), "garbage-labeled", new byte[] {7, 7, 7}));
      labels.send(label("it-run-bad-probability", 1.7));
      labels.send(label("it-run-bad-probability", Double.NaN));
      labels.send(label("no-such-group", 0.5));
    }
    CliRun done =
        lodestoneRun(
            dir,
            "it-run",
            "--task",
            "perturbed-rps",
            "--steps",
            Long.toString(STEPS),
            "--batch-groups",
            "2",
            "--publish-every",
            "2",
            "--samplers",
            "2",
            "--judges",
            "2",
            "--label-timeout",
            "2",
            "--report",
            report.toString(),
            "--json");
    assertThat(done.exitCode()).as("stderr:\n%s", done.err()).isZero();
    String[] lines = done.out().strip().split("\n");
    JsonNode summary = JSON.readTree(lines[lines.length - 1]);
    assertThat(summary.get("task").asText()).isEqualTo("perturbed-rps");
    assertThat(summary.get("algorithm").asText()).isEqualTo("mpo");
    assertThat(summary.get("steps").asLong()).isEqualTo(STEPS);
    assertThat(summary.get("policyVersion").asLong()).isEqualTo(STEPS / 2);
    assertThat(summary.get("exploitability").isNumber()).isTrue();
    assertThat(summary.get("strategies").size()).isEqualTo(3);
    assertThat(summary.get("nash").get("rock").asDouble()).isBetween(0.142, 0.143);
    assertThat(summary.get("sha256").asText()).matches("[0-9a-f]{64}");
    for (String f : List.of("exploitability.png", "strategies.png", "evaluations.csv")) {
      assertThat(report.resolve(f)).isNotEmptyFile();
    }
    JsonNode written = JSON.readTree(report.resolve("summary.json").toFile());
    assertThat(written.get("steps").asLong()).isEqualTo(STEPS);
    assertThat(written.get("details").get("stoppedBy").asText()).isEqualTo("steps");
    JsonNode game = written.get("details").get("game");
    assertThat(game.get("strategies").get(1).asText()).isEqualTo("paper");
    // perturbed-rps: P[paper][scissors] = 1/3, P[scissors][paper] = 2/3.
    assertThat(game.get("preferences").get(1).get(2).asDouble()).isEqualTo(1.0 / 3.0);
    assertThat(game.get("preferences").get(2).get(1).asDouble()).isEqualTo(2.0 / 3.0);

    TopicReader reader = new TopicReader(cluster);
    Map<String, List<DeadLetter>> letters =
        reader.all(Topics.DEAD_LETTERS).stream()
            .map(TopicReader.Read::value)
            .collect(
                Collectors.groupingBy(
                    l -> l.getComponent() + " " + l.getSourceTopic() + " " + l.getErrorType()));
    assertThat(letters.keySet())
        .contains(
            "judge samples UNDECODABLE",
            "label-join samples UNDECODABLE",
            "label-join labels UNDECODABLE",
            "label-join labels INVALID_PROBABILITY",
            "label-join labels UNKNOWN_GROUP");
    assertThat(letters.get("label-join labels INVALID_PROBABILITY"))
        .extracting(DeadLetter::getReason)
        .anySatisfy(r -> assertThat(r).contains("probability 1.7"))
        .anySatisfy(r -> assertThat(r).contains("probability NaN"));
    assertThat(letters.get("label-join labels UNKNOWN_GROUP"))
        .singleElement()
        .satisfies(l -> assertThat(l.getReason()).contains("no-such-group"));
    assertThat(letters.keySet()).anyMatch(k -> k.startsWith("learner labeled "));
    assertThat(letters.values().stream().flatMap(List::stream))
        .allSatisfy(l -> assertThat(l.getReason()).isNotBlank());
    FileUtils.deleteQuietly(dir.toFile());
  }

  @Test
  void shouldEndATimedRunWithTheLearnersLastStepPublishedAndEvaluated() throws Exception {
    Path dir = Files.createTempDirectory("run-minutes-it-");
    Path report = dir.resolve("report");
    CliRun done =
        lodestoneRun(
            dir,
            "it-run-minutes",
            "--minutes",
            "0.25",
            "--batch-groups",
            "2",
            "--publish-every",
            "3",
            "--report",
            report.toString(),
            "--json");
    assertThat(done.exitCode()).as("stderr:\n%s", done.err()).isZero();
    assertThat(done.err()).contains("lodestone run: stopping (time)");
    JsonNode written = JSON.readTree(report.resolve("summary.json").toFile());
    JsonNode details = written.get("details");
    assertThat(details.get("stoppedBy").asText()).isEqualTo("time");
    assertThat(details.get("learnerConfig").get("maxDurationMs").asLong()).isEqualTo(15_000);
    // The learner stopped by itself at its budget, after publishing its last step (not only at a
    // multiple of --publish-every), and that version is the one evaluated.
    long steps = written.get("steps").asLong();
    assertThat(steps).isPositive();
    assertThat(details.get("evaluatedStep").asLong()).isEqualTo(steps);
    assertThat(details.get("evaluatedVersion").asLong())
        .isEqualTo(written.get("policyVersion").asLong())
        .isEqualTo((steps + 2) / 3);
    FileUtils.deleteQuietly(dir.toFile());
  }

  @Test
  void shouldStopCleanlyOnSigtermAndStillWriteTheReport() throws Exception {
    Path dir = Files.createTempDirectory("run-sigterm-it-");
    Path report = dir.resolve("report");
    try (LodestoneProcess run =
        LodestoneProcess.start(
            dir,
            "run",
            List.of(
                "run",
                "--model",
                "tiny",
                "--warmup-cache",
                dir.resolve("warmup").toString(),
                "--minutes",
                "10",
                "--report",
                report.toString(),
                "--json"))) {
      // Its own local stack this time; the progress lines (every 10 s) show the learner moving.
      TopicReader.await(
          "the learner has published version 1",
          Duration.ofSeconds(150),
          () -> {
            try {
              return !run.isAlive()
                  || java.util.regex.Pattern.compile("step [1-9][0-9]*  v [1-9]")
                      .matcher(run.stderr())
                      .find();
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
      assertThat(run.isAlive()).as("stderr:\n%s", run.tail()).isTrue();
      assertThat(run.stop(Duration.ofSeconds(120))).as("stderr:\n%s", run.tail()).isEqualTo(143);
      assertThat(run.stderr()).contains("lodestone run: stopping (interrupt)");
      String[] lines = run.stdout().strip().split("\n");
      JsonNode summary = JSON.readTree(lines[lines.length - 1]);
      assertThat(summary.get("steps").asLong()).isPositive();
      for (String f :
          List.of("exploitability.png", "strategies.png", "evaluations.csv", "summary.json")) {
        assertThat(report.resolve(f)).isNotEmptyFile();
      }
      JsonNode details = JSON.readTree(report.resolve("summary.json").toFile()).get("details");
      assertThat(details.get("stoppedBy").asText()).isEqualTo("interrupt");
    } finally {
      FileUtils.deleteQuietly(dir.toFile());
    }
  }

  /**
   * {@code lodestone run} in this JVM against the test's stack, with the tiny model, the model id
   * and a warm-up cache in {@code dir}, plus {@code more}.
   */
  @Test
  void aPublishedVersionExportsAsAHuggingFaceDirectory() throws Exception {
    Path dir = Files.createTempDirectory("export-model-it-");
    CliRun done =
        lodestoneRun(
            dir,
            "it-export",
            "--steps",
            "6",
            "--batch-groups",
            "2",
            "--publish-every",
            "3",
            "--json");
    assertThat(done.exitCode()).as("stderr:\n%s", done.err()).isZero();
    long version =
        JSON.readTree(done.out().strip().lines().reduce((a, b) -> b).orElseThrow())
            .get("policyVersion")
            .asLong();
    assertThat(version).isEqualTo(2); // steps 3 and 6
    String[] at = {"--bootstrap", stack.bootstrapServers(), "--registry", stack.registryUrl()};

    Path out = dir.resolve("hf");
    CliRun exported = exportModel(at, "--model-id", "it-export", "--out", out.toString());
    assertThat(exported.exitCode()).as(exported.err()).isZero();
    assertThat(exported.out()).contains("version " + version + " as GPT2LMHeadModel");
    HfCheckpoint checkpoint = HfCheckpoint.open(out);
    assertThat(checkpoint.config().activation()).isEqualTo("gelu");
    try (HfCausalLm lm = HfCausalLm.load(checkpoint, Engines.device("cpu"))) {
      float[][] lp = lm.logProbs(new long[] {256, 114, 259});
      for (float v : lp[2]) {
        assertThat(v).isFinite().isNegative();
      }
    }
    CliRun again = exportModel(at, "--model-id", "it-export", "--out", out.toString());
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains("already holds a checkpoint");
    CliRun old =
        exportModel(
            at,
            "--model-id",
            "it-export",
            "--version",
            "" + (version - 1),
            "--out",
            dir.resolve("old").toString());
    assertThat(old.exitCode()).isEqualTo(2);
    assertThat(old.err()).contains("is no longer on the policy topic");
    CliRun future =
        exportModel(
            at,
            "--model-id",
            "it-export",
            "--version",
            "" + (version + 5),
            "--timeout",
            "3",
            "--out",
            dir.resolve("future").toString());
    assertThat(future.exitCode()).isEqualTo(1);
    assertThat(future.err()).contains("did not arrive in 3 s (the newest is " + version + ")");
    CliRun none =
        exportModel(
            at,
            "--model-id",
            "no-such-model",
            "--timeout",
            "3",
            "--out",
            dir.resolve("none").toString());
    assertThat(none.exitCode()).isEqualTo(1);
    assertThat(none.err()).contains("no version of model 'no-such-model'");
    FileUtils.deleteQuietly(dir.toFile());
  }

  private static CliRun exportModel(String[] at, String... rest) {
    List<String> all = new ArrayList<>(List.of("export-model"));
    all.addAll(List.of(at));
    all.addAll(List.of(rest));
    return CliRun.of(all.toArray(String[]::new));
  }

  private static CliRun lodestoneRun(Path dir, String modelId, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "--bootstrap",
                stack.bootstrapServers(),
                "--registry",
                stack.registryUrl(),
                "--model",
                "tiny",
                "--model-id",
                modelId,
                "--warmup-cache",
                dir.resolve("warmup").toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static ProducerRecord<String, PreferenceLabel> label(String group, double p) {
    PreferenceLabel l =
        PreferenceLabel.newBuilder()
            .setGroupId(group)
            .setI(0)
            .setJ(1)
            .setProbability(p)
            .setJudgeId("rogue")
            .setJudgeKind(JudgeKind.OTHER)
            .setTime(Instant.now())
            .build();
    return new ProducerRecord<>(Topics.LABELS.name(), group, l);
  }
}
