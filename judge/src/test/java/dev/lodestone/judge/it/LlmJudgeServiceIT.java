package dev.lodestone.judge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.judge.llm.LlmCallException;
import dev.lodestone.judge.llm.LlmJudgeConfig;
import dev.lodestone.judge.llm.LlmJudgeService;
import dev.lodestone.judge.llm.OracleChatServer;
import dev.lodestone.judge.llm.OracleChatServer.Answers;
import dev.lodestone.judge.llm.OracleChatServer.Fault;
import dev.lodestone.judge.streams.Aggregation;
import dev.lodestone.judge.streams.JudgeConfig;
import dev.lodestone.judge.streams.JudgeService;
import dev.lodestone.judge.streams.LabelJoinConfig;
import dev.lodestone.judge.streams.LabelJoinService;
import dev.lodestone.judge.streams.StreamsAppConfig;
import dev.lodestone.judge.testing.TestGroups;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabelProvenance;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.serde.DeadLetterReason;
import dev.lodestone.service.ServiceState;
import dev.lodestone.stack.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LLM judge service on a real broker against a real chat-completions server on loopback whose
 * taste is perturbed rock-paper-scissors. Every group is labelled exactly once (read_committed),
 * through slow answers, 429s, 500s and bodies that are not JSON; a group whose calls always fail
 * ends in dead-letters with the reason; a stop in the middle of the stream and a restart lose
 * nothing and label nothing twice; and with the game oracle beside it, the label join combines both
 * judges' labels by a weighted rule and keeps each label's provenance.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LlmJudgeServiceIT {
  private static final String[] MOVES = {"rock", "paper", "scissors"};
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  private static LlmJudgeConfig config(OracleChatServer server, String app, String instance) {
    return LlmJudgeConfig.of(
            broker.config(),
            server.baseUrl(),
            "oracle-model",
            "secret-key-never-logged",
            TestGroups.TASK,
            app,
            instance)
        .withCalls(4, Duration.ofSeconds(1), 5, Duration.ofMillis(20))
        .withPacing(8, Duration.ofMillis(500), Duration.ofMillis(500));
  }

  /** Sends groups of three moves (some "poisoned": the server never answers them). */
  private static Map<String, SampleGroup> send(String prefix, int n, int poisonEvery) {
    Map<String, SampleGroup> sent = new LinkedHashMap<>(); // sent in this order
    SplittableRandom rng = new SplittableRandom(prefix.hashCode());
    for (int k = 0; k < n; k++) {
      String id = prefix + "-" + k;
      String third = poisonEvery > 0 && k % poisonEvery == 0 ? "poison" : MOVES[rng.nextInt(3)];
      sent.put(id, TestGroups.group(id, MOVES[rng.nextInt(3)], MOVES[rng.nextInt(3)], third));
    }
    TestGroups.publish(broker, sent.values());
    return sent;
  }

  private static List<PreferenceLabel> labelsOf(String prefix) {
    List<PreferenceLabel> out = new ArrayList<>();
    for (ConsumerRecord<String, PreferenceLabel> r : broker.readAll(Topics.LABELS)) {
      if (r.key().startsWith(prefix + "-")) {
        out.add(r.value());
      }
    }
    return out;
  }

  private static List<DeadLetter> lettersOf(String prefix) {
    List<DeadLetter> out = new ArrayList<>();
    for (ConsumerRecord<String, DeadLetter> r : broker.readAll(Topics.DEAD_LETTERS)) {
      if (r.value().getComponent().equals(LlmJudgeService.COMPONENT)
          && r.value().getReason().contains("group " + prefix + "-")) {
        out.add(r.value());
      }
    }
    return out;
  }

  /** Each group's three pairs labelled once, with the exact probability of the game. */
  private static void assertLabelledOnce(
      Map<String, SampleGroup> groups, List<PreferenceLabel> got) {
    Map<String, List<PreferenceLabel>> byGroup = new HashMap<>();
    for (PreferenceLabel l : got) {
      byGroup.computeIfAbsent(l.getGroupId(), k -> new ArrayList<>()).add(l);
    }
    assertThat(byGroup.keySet()).containsExactlyInAnyOrderElementsOf(groups.keySet());
    for (Map.Entry<String, SampleGroup> e : groups.entrySet()) {
      List<PreferenceLabel> labels = byGroup.get(e.getKey());
      assertThat(labels).as(e.getKey()).hasSize(3);
      double[] exact = TestGroups.rpsJudge("exact").preferences(e.getValue());
      for (PreferenceLabel l : labels) {
        int k = l.getI() == 0 ? l.getJ() - 1 : 2;
        assertThat(l.getProbability()).isCloseTo(exact[k], within(1e-12));
        assertThat(l.getJudgeKind()).isEqualTo(JudgeKind.LLM);
        assertThat(l.getJudgeId()).isEqualTo("llm:oracle-model");
      }
    }
  }

  @Test
  @Order(1)
  void shouldLabelEveryGroupOnceThroughTransientFaultsAndDeadLetterTheHopeless() throws Exception {
    SplittableRandom chaos = new SplittableRandom(11);
    OracleChatServer.Faults faults =
        (n, message) -> {
          if (message.contains("poison")) {
            return Fault.status(500);
          }
          double u;
          synchronized (chaos) {
            u = chaos.nextDouble();
          }
          return u < 0.05
              ? Fault.status(429)
              : u < 0.10
                  ? Fault.status(500)
                  : u < 0.13
                      ? Fault.malformed()
                      : u < 0.15 ? Fault.slow(Duration.ofMillis(1500)) : Fault.NONE;
        };
    try (OracleChatServer server =
            new OracleChatServer(TestGroups::rps, true, 1, Answers.PREFERENCE, faults, 0);
        LlmJudgeService service = new LlmJudgeService(config(server, "it-llm-a", "a"))) {
      service.start(TestBroker.DEADLINE);
      Map<String, SampleGroup> sent = send("faults", 60, 20);
      Map<String, SampleGroup> good = new HashMap<>(sent);
      good.keySet().removeIf(id -> sent.get(id).getResponses().get(2).getText().equals("poison"));
      TestBroker.await(
          "every group labelled or dead-lettered",
          () -> service.metrics().groupsJudged() + service.metrics().groupsDeadLettered() >= 60);
      assertLabelledOnce(good, labelsOf("faults"));
      List<DeadLetter> letters = lettersOf("faults");
      assertThat(letters).hasSize(3);
      for (DeadLetter l : letters) {
        assertThat(l.getErrorType()).isEqualTo(DeadLetterReason.JUDGE_FAILED.name());
        assertThat(l.getReason()).contains("server-error").contains("HTTP 500");
        assertThat(l.getSourceTopic()).isEqualTo(Topics.SAMPLES.name());
      }
      assertThat(service.metrics().failures(LlmCallException.Kind.RATE_LIMITED)).isPositive();
      assertThat(service.metrics().failures(LlmCallException.Kind.MALFORMED)).isPositive();
      assertThat(service.metrics().failures(LlmCallException.Kind.TIMEOUT)).isPositive();
      assertThat(service.state()).isEqualTo(ServiceState.RUNNING);
    }
  }

  @Test
  @Order(2)
  void shouldLoseNothingAndLabelNothingTwiceAcrossARestart() throws Exception {
    OracleChatServer.Faults slow = (n, message) -> Fault.slow(Duration.ofMillis(15));
    Map<String, SampleGroup> sent;
    try (OracleChatServer server =
        new OracleChatServer(TestGroups::rps, true, 1, Answers.PREFERENCE, slow, 0)) {
      try (LlmJudgeService first = new LlmJudgeService(config(server, "it-llm-b", "b1"))) {
        first.start(TestBroker.DEADLINE);
        sent = send("restart", 150, 0);
        TestBroker.await("some groups judged", () -> first.metrics().groupsJudged() >= 20);
      } // stopped in the middle of a batch: its calls are cut, nothing of it is committed
      try (LlmJudgeService second = new LlmJudgeService(config(server, "it-llm-b", "b2"))) {
        second.start(TestBroker.DEADLINE);
        TestBroker.await(
            "every group labelled", () -> labelsOf("restart").size() >= 3 * sent.size());
        Thread.sleep(1000); // anything labelled twice would show up by now
      }
      assertLabelledOnce(sent, labelsOf("restart"));
    }
  }

  @Test
  @Order(3)
  void shouldJoinTheLabelsOfAnOracleAndAnLlmJudgeKeepingTheirProvenance(@TempDir Path state)
      throws Exception {
    LabelJoinConfig joinConfig =
        LabelJoinConfig.of(
                StreamsAppConfig.defaults("it-mixed-join", "j", state.resolve("j"))
                    .withReplicationFactor(1))
            .withQuorum(2)
            .withAggregation(Aggregation.parse("weighted:llm=3"));
    JudgeConfig oracleConfig =
        JudgeConfig.of(
            StreamsAppConfig.defaults("it-mixed-oracle", "o", state.resolve("o"))
                .withReplicationFactor(1));
    // verdicts only: the LLM judge's labels are 0, 1/2 or 1, the oracle's exact
    try (OracleChatServer server = OracleChatServer.of(TestGroups::rps, false, 5);
        LabelJoinService join =
            new LabelJoinService(joinConfig, broker.config(), broker.registry());
        JudgeService oracle =
            new JudgeService(
                oracleConfig,
                broker.config(),
                TestGroups.rpsJudge("oracle:test"),
                broker.registry());
        LlmJudgeService llm = new LlmJudgeService(config(server, "it-mixed-llm", "l"))) {
      join.start(TestBroker.DEADLINE);
      oracle.start(TestBroker.DEADLINE);
      llm.start(TestBroker.DEADLINE);
      Map<String, SampleGroup> sent = send("mixed", 30, 0);
      TestBroker.await("every mixed group labelled by both", () -> labeledOf("mixed").size() >= 30);
      List<LabeledGroup> out = labeledOf("mixed");
      assertThat(out).hasSize(30);
      for (LabeledGroup g : out) {
        double[] exact =
            TestGroups.rpsJudge("exact").preferences(sent.get(g.getGroup().getGroupId()));
        assertThat(g.getJudgeIds()).containsExactly("llm:oracle-model", "oracle:test");
        assertThat(g.getAggregation()).startsWith("weighted:").contains("LLM=3.0");
        for (PairPreference pair : g.getPreferences()) {
          List<LabelProvenance> labels = pair.getLabels();
          assertThat(labels)
              .extracting(LabelProvenance::getJudgeKind)
              .containsExactly(JudgeKind.LLM, JudgeKind.GAME_ORACLE);
          double llmP = labels.get(0).getProbability();
          double oracleP = labels.get(1).getProbability();
          int k = pair.getI() == 0 ? pair.getJ() - 1 : 2;
          assertThat(oracleP).isEqualTo(exact[k]);
          assertThat(llmP).isIn(0.0, 0.5, 1.0);
          assertThat(pair.getProbability()).isCloseTo((oracleP + 3 * llmP) / 4, within(1e-12));
          assertThat(pair.getLabelCount()).isEqualTo(2);
        }
      }
    }
  }

  private static List<LabeledGroup> labeledOf(String prefix) {
    List<LabeledGroup> out = new ArrayList<>();
    for (ConsumerRecord<String, LabeledGroup> r : broker.readAll(Topics.LABELED)) {
      if (r.key().startsWith(prefix + "-")) {
        out.add(r.value());
      }
    }
    return out;
  }
}
