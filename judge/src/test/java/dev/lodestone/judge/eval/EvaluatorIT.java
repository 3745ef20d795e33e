package dev.lodestone.judge.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.games.Games;
import dev.lodestone.games.PreferenceGame;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.service.ServiceState;
import dev.lodestone.stack.testing.TestBroker;
import dev.lodestone.stack.testing.TestPolicyPublisher;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The evaluator against a real single-node broker and the embedded registry: the test publishes
 * policy versions as the learner does and reads the evaluator's metric events.
 */
@Tag("integration")
class EvaluatorIT {
  private static final PreferenceGame GAME = Games.perturbedRps();
  private static TestBroker cluster;
  private static TestPolicyPublisher learner;
  private static byte[] v0;
  private static byte[] v1;
  private static byte[] v2;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestBroker.start();
    learner = new TestPolicyPublisher(cluster, "it-learner");
    v0 = weights(GAME.initial().orElseThrow(), 30, 21); // the warm-up policy
    v1 = weights(new double[] {1 / 7.0, 3 / 7.0, 3 / 7.0}, 40, 22);
    v2 = weights(new double[] {0.1, 0.8, 0.1}, 25, 23);
  }

  @AfterAll
  static void stop() throws Exception {
    if (learner != null) {
      learner.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * Publishes a POLICY version in one transaction; with {@code corrupt}, one chunk carries other
   * bytes (its version's SHA-256 cannot match).
   */
  private static void publishPolicy(String modelId, long version, byte[] weights, boolean corrupt) {
    List<PolicyVersion> chunks =
        new ArrayList<>(
            new TestPolicyPublisher.Version(ModelRole.POLICY, version, 0, version * 4, 4, weights)
                .chunks(modelId));
    if (corrupt) {
      PolicyVersion first = chunks.get(0);
      byte[] other = new byte[first.getWeights().remaining()];
      chunks.set(0, PolicyVersion.newBuilder(first).setWeights(ByteBuffer.wrap(other)).build());
    }
    learner.publishChunks(modelId, chunks);
  }

  private static byte[] weights(double[] target, int steps, long seed) {
    try (PolicyModel m = EvalModels.trained(GAME, target, steps, seed)) {
      return m.toBytes();
    }
  }

  private static StrategyDistribution distribution(byte[] blob) {
    try (PolicyModel m = PolicyModel.fromBytes(blob, Engines.device("cpu"))) {
      return PolicyEvaluation.distribution(m, GAME, GAME.prompt());
    }
  }

  private static List<MetricEvent> events(String instance) {
    return cluster.readAll(Topics.METRICS).stream()
        .filter(e -> e.key().equals("evaluator"))
        .map(ConsumerRecord::value)
        .filter(e -> e.getInstanceId().equals(instance))
        .toList();
  }

  private static MetricEvent awaitEvent(String instance, long version) throws Exception {
    long deadline = System.nanoTime() + TestBroker.DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      for (MetricEvent e : events(instance)) {
        if (e.getPolicyVersion() == version) {
          return e;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no evaluation of version " + version + " by " + instance);
  }

  private static void assertValues(MetricEvent event, Evaluation expected) {
    assertThat(event.getComponent()).isEqualTo("evaluator");
    assertThat(event.getValues()).containsOnlyKeys(expected.metricValues().keySet());
    expected
        .metricValues()
        .forEach(
            (name, value) ->
                assertThat(event.getValues().get(name)).as(name).isCloseTo(value, within(1e-9)));
  }

  @Test
  void shouldEvaluateEachVersionAgainstVersionZeroAndSkipABadOne() throws Exception {
    String model = "it-eval";
    EvaluatorConfig config =
        EvaluatorConfig.builder(cluster.config(), model, GAME).instanceId("it-evaluator").build();
    try (Evaluator evaluator = new Evaluator(config)) {
      evaluator.start(Duration.ofSeconds(60)); // running before any version exists
      assertThat(evaluator.state()).isEqualTo(ServiceState.RUNNING);

      publishPolicy(model, 0, v0, false);
      MetricEvent e0 = awaitEvent("it-evaluator", 0);
      StrategyDistribution d0 = distribution(v0);
      assertValues(e0, PolicyEvaluation.evaluate(d0, d0, GAME));
      assertThat(e0.getValues().get("eval/winRateVsInitial")).isCloseTo(0.5, within(1e-12));
      assertThat(e0.getStep()).isZero();
      assertThat(e0.getTags())
          .containsEntry("referenceVersion", "0")
          .containsEntry("game", "perturbed-rps");

      publishPolicy(model, 1, v1, false);
      MetricEvent e1 = awaitEvent("it-evaluator", 1);
      Evaluation expected1 = PolicyEvaluation.evaluate(distribution(v1), d0, GAME);
      assertValues(e1, expected1);
      assertThat(e1.getStep()).isEqualTo(10);
      // Trained towards the Nash from the skewed start: it has moved away from version 0.
      assertThat(expected1.winRateVsReference()).isNotCloseTo(0.5, within(0.01));

      publishPolicy(model, 2, v2, true); // a chunk with other bytes: dropped whole
      publishPolicy(model, 3, v2, false);
      MetricEvent e3 = awaitEvent("it-evaluator", 3);
      assertValues(e3, PolicyEvaluation.evaluate(distribution(v2), d0, GAME));

      assertThat(events("it-evaluator"))
          .extracting(MetricEvent::getPolicyVersion)
          .containsExactly(0L, 1L, 3L);
      assertThat(evaluator.evaluations()).isEqualTo(3);
      assertThat(evaluator.latest().orElseThrow().header().version()).isEqualTo(3);
      List<DeadLetter> letters =
          cluster.readAll(Topics.DEAD_LETTERS).stream()
              .map(ConsumerRecord::value)
              .filter(l -> l.getComponent().equals("evaluator"))
              .toList();
      assertThat(letters)
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.getSourceTopic()).isEqualTo(Topics.POLICY.name());
                assertThat(l.getErrorType()).isEqualTo("INVALID_RECORD");
                assertThat(l.getReason()).contains("version 2 dropped").contains("SHA256_MISMATCH");
              });
    }
  }

  @Test
  void aLateEvaluatorShouldSkipToTheNewestVersionAndUseGivenReferenceWeights() throws Exception {
    String model = "it-eval-late";
    publishPolicy(model, 0, v0, false);
    publishPolicy(model, 1, v1, false);
    publishPolicy(model, 2, v2, false);
    EvaluatorConfig config =
        EvaluatorConfig.builder(cluster.config(), model, GAME)
            .instanceId("it-late")
            .reference(ReferencePolicy.weights(v1))
            .build();
    try (Evaluator evaluator = new Evaluator(config)) {
      evaluator.start(Duration.ofSeconds(60));
      MetricEvent e2 = awaitEvent("it-late", 2);
      assertValues(e2, PolicyEvaluation.evaluate(distribution(v2), distribution(v1), GAME));
      assertThat(e2.getTags()).containsEntry("referenceVersion", "given");
      // Versions 0 and 1 were waiting too; only the newest was evaluated.
      assertThat(events("it-late")).extracting(MetricEvent::getPolicyVersion).containsExactly(2L);
      assertThat(evaluator.evaluations()).isEqualTo(1);
    }
  }
}
