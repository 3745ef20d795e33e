package dev.lodestone.judge.testing;

import dev.lodestone.judge.TextPreferenceJudge;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.stack.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Sample groups, labels and a perturbed rock-paper-scissors judge for tests. */
public final class TestGroups {
  private TestGroups() {}

  public static final Instant TIME = Instant.ofEpochMilli(1_800_000_000_000L);

  /** The task of the test judge. */
  public static final String TASK = "perturbed-rps";

  private static final List<String> STRATEGIES = List.of("rock", "paper", "scissors");

  /** The perturbed RPS of docs/design.md: P[i][j] = P(strategy i preferred over strategy j). */
  private static final double[][] P = {
    {0.5, 0.0, 1.0}, {1.0, 0.5, 1.0 / 3.0}, {0.0, 2.0 / 3.0, 0.5},
  };

  /**
   * P(a over b) under perturbed RPS; a text that is not a strategy loses to every strategy and ties
   * with other such texts.
   */
  public static double rps(String a, String b) {
    int i = STRATEGIES.indexOf(a);
    int j = STRATEGIES.indexOf(b);
    if (i < 0 && j < 0) {
      return 0.5;
    }
    if (i < 0) {
      return 0.0;
    }
    if (j < 0) {
      return 1.0;
    }
    return P[i][j];
  }

  /** A judge of {@link #TASK} by {@link #rps}. */
  public static TextPreferenceJudge rpsJudge(String judgeId) {
    return new TextPreferenceJudge(judgeId, JudgeKind.GAME_ORACLE, TASK, TestGroups::rps);
  }

  /** A valid group of task {@link #TASK} with one response per text. */
  public static SampleGroup group(String groupId, String... texts) {
    return groupOfTask(groupId, TASK, texts);
  }

  /** A valid group with one response per text. */
  public static SampleGroup groupOfTask(String groupId, String task, String... texts) {
    List<Response> responses = new ArrayList<>();
    for (String text : texts) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      List<Integer> tokens = new ArrayList<>();
      List<Float> logProbs = new ArrayList<>();
      for (byte b : bytes) {
        tokens.add(b & 0xff);
        logProbs.add(-0.25f);
      }
      tokens.add(3);
      logProbs.add(-0.5f);
      responses.add(
          Response.newBuilder()
              .setText(text)
              .setTokenIds(tokens)
              .setLogProbs(logProbs)
              .setFinished(true)
              .build());
    }
    return SampleGroup.newBuilder()
        .setGroupId(groupId)
        .setPromptId("prompt-" + groupId)
        .setTask(task)
        .setPrompt("Choose your move.")
        .setPromptTokenIds(List.of(1, 2))
        .setResponses(responses)
        .setPolicyVersion(3)
        .setMagnetVersion(1)
        .setSamplerId("sampler-test")
        .setTime(TIME)
        .build();
  }

  /** A label. */
  public static PreferenceLabel label(String groupId, int i, int j, double p, String judgeId) {
    return PreferenceLabel.newBuilder()
        .setGroupId(groupId)
        .setI(i)
        .setJ(j)
        .setProbability(p)
        .setJudgeId(judgeId)
        .setJudgeKind(JudgeKind.OTHER)
        .setTime(TIME)
        .build();
  }

  /** UTF-8 bytes. */
  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Sends the groups to {@code samples}, each keyed by its id, and waits until all are written. */
  public static void publish(TestBroker broker, Collection<SampleGroup> groups) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (KafkaProducer<String, SampleGroup> producer =
        new KafkaProducer<>(
            p,
            new StringSerializer(),
            TopicSerdes.valueSerde(Topics.SAMPLES, broker.registry()).serializer())) {
      for (SampleGroup g : groups) {
        producer.send(new ProducerRecord<>(Topics.SAMPLES.name(), g.getGroupId(), g));
      }
      producer.flush();
    }
  }
}
