package dev.lodestone.judge.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.judge.llm.OracleChatServer.Answers;
import dev.lodestone.judge.llm.OracleChatServer.Fault;
import dev.lodestone.judge.testing.TestGroups;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The LLM judge's calls against a real chat-completions server on loopback ({@link
 * OracleChatServer}) whose taste is perturbed rock-paper-scissors: exact probabilities from
 * log-probabilities, verdicts without them, position bias cancelled, and every kind of failure
 * retried or classified.
 */
class LlmJudgeTest {
  private static final SampleGroup GROUP =
      TestGroups.group("g-1", "rock", "paper", "scissors", "lizard");

  private static LlmJudgeConfig config(OracleChatServer server, boolean logprobs) {
    return LlmJudgeConfig.of(
            ClusterConfig.of("127.0.0.1:9", "http://127.0.0.1:9"),
            server.baseUrl(),
            "oracle-model",
            "",
            TestGroups.TASK,
            "llm-judge-test",
            "test")
        .withPrompting(PairwiseTemplate.DEFAULT, "llm:oracle-model", logprobs)
        .withCalls(4, Duration.ofSeconds(2), 3, Duration.ofMillis(20));
  }

  private static double[] exact(SampleGroup group) {
    return TestGroups.rpsJudge("exact").preferences(group);
  }

  @Test
  void shouldReadExactProbabilitiesFromLogprobs() throws Exception {
    try (OracleChatServer server = OracleChatServer.of(TestGroups::rps, true, 1);
        LlmJudge judge = new LlmJudge(config(server, true), new LlmJudgeMetrics())) {
      double[] p = judge.judge(GROUP).get();
      double[] expected = exact(GROUP);
      assertThat(p).hasSize(6);
      for (int k = 0; k < p.length; k++) {
        assertThat(p[k]).as("pair %d", k).isCloseTo(expected[k], within(1e-12));
      }
      assertThat(server.requests()).isEqualTo(12); // 6 pairs, both orders
    }
  }

  @Test
  void shouldCombineVerdictsOfBothOrdersWithoutLogprobs() throws Exception {
    LlmJudgeMetrics metrics = new LlmJudgeMetrics();
    try (OracleChatServer server = OracleChatServer.of(TestGroups::rps, false, 7);
        LlmJudge judge = new LlmJudge(config(server, true), metrics)) {
      double[] p = judge.judge(GROUP).get();
      double[] expected = exact(GROUP);
      for (int k = 0; k < p.length; k++) {
        assertThat(p[k]).isIn(0.0, 0.5, 1.0);
        if (expected[k] == 1.0 || expected[k] == 0.0) {
          assertThat(p[k])
              .as("a certain preference gives a certain verdict")
              .isEqualTo(expected[k]);
        }
      }
      assertThat(metrics.values()).containsEntry("llm/verdicts_from_logprobs", 0.0);
    }
  }

  @Test
  void shouldAverageSampledVerdictsToTheProbability() throws Exception {
    // paper over scissors has P = 1/3: over many groups the mean label approaches it
    try (OracleChatServer server = OracleChatServer.of(TestGroups::rps, false, 3);
        LlmJudge judge = new LlmJudge(config(server, false), new LlmJudgeMetrics())) {
      double sum = 0;
      int n = 300;
      for (int g = 0; g < n; g++) {
        sum += judge.judge(TestGroups.group("g-" + g, "paper", "scissors")).get()[0];
      }
      assertThat(sum / n).isCloseTo(1.0 / 3.0, within(0.06));
    }
  }

  @Test
  void shouldCancelPositionBias() throws Exception {
    LlmJudgeMetrics metrics = new LlmJudgeMetrics();
    try (OracleChatServer server =
            new OracleChatServer(
                TestGroups::rps, false, 1, Answers.ALWAYS_A, OracleChatServer.Faults.NONE, 0);
        LlmJudge judge = new LlmJudge(config(server, false), metrics)) {
      double[] p = judge.judge(GROUP).get();
      assertThat(p).containsOnly(0.5);
      assertThat(metrics.positionDisagreementRate()).isEqualTo(1.0);
      assertThat(metrics.pairsJudged()).isEqualTo(6);
    }
  }

  @Test
  void shouldRetryTransientFailuresAndStillGetTheRightAnswer() throws Exception {
    LlmJudgeMetrics metrics = new LlmJudgeMetrics();
    // the first request times out, the second is rate limited, the third fails, the fourth is not
    // JSON; a call has 5 attempts, so the first call gets through at its fifth
    OracleChatServer.Faults faults =
        (n, message) ->
            switch ((int) n) {
              case 1 -> Fault.slow(Duration.ofSeconds(3));
              case 2 -> Fault.status(429);
              case 3 -> Fault.status(500);
              case 4 -> Fault.malformed();
              default -> Fault.NONE;
            };
    try (OracleChatServer server =
            new OracleChatServer(TestGroups::rps, true, 1, Answers.PREFERENCE, faults, 0);
        LlmJudge judge =
            new LlmJudge(
                config(server, true).withCalls(1, Duration.ofSeconds(1), 5, Duration.ofMillis(10)),
                metrics)) {
      double[] p = judge.judge(TestGroups.group("g", "paper", "scissors")).get();
      assertThat(p[0]).isCloseTo(1.0 / 3.0, within(1e-12));
      assertThat(metrics.failures(LlmCallException.Kind.TIMEOUT)).isEqualTo(1);
      assertThat(metrics.failures(LlmCallException.Kind.RATE_LIMITED)).isEqualTo(1);
      assertThat(metrics.failures(LlmCallException.Kind.SERVER_ERROR)).isEqualTo(1);
      assertThat(metrics.failures(LlmCallException.Kind.MALFORMED)).isEqualTo(1);
      assertThat(metrics.calls()).isEqualTo(6);
    }
  }

  @Test
  void shouldFailAGroupWhoseCallsKeepFailing() throws Exception {
    LlmJudgeMetrics metrics = new LlmJudgeMetrics();
    try (OracleChatServer server =
            new OracleChatServer(
                TestGroups::rps, true, 1, Answers.PREFERENCE, (n, m) -> Fault.status(503), 0);
        LlmJudge judge = new LlmJudge(config(server, true), metrics)) {
      assertThatThrownBy(() -> judge.judge(TestGroups.group("g", "rock", "paper")).get())
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(LlmCallException.class)
          .hasMessageContaining("server-error")
          .hasMessageContaining("503");
      assertThat(metrics.failures(LlmCallException.Kind.SERVER_ERROR)).isEqualTo(6); // 2 calls x 3
    }
  }

  @Test
  void shouldNotRetryClientErrors() throws Exception {
    LlmJudgeMetrics metrics = new LlmJudgeMetrics();
    try (OracleChatServer server =
            new OracleChatServer(
                TestGroups::rps, true, 1, Answers.PREFERENCE, (n, m) -> Fault.status(401), 0);
        LlmJudge judge = new LlmJudge(config(server, true), metrics)) {
      assertThatThrownBy(() -> judge.judge(TestGroups.group("g", "rock", "paper")).get())
          .cause()
          .isInstanceOf(LlmCallException.class)
          .hasMessageContaining("client-error");
      assertThat(metrics.failures(LlmCallException.Kind.CLIENT_ERROR)).isEqualTo(2);
      assertThat(server.requests()).isEqualTo(2);
    }
  }

  @Test
  void shouldOpenTheBreakerWhenTheServerIsDownAndFailCallsAtTheirDeadline() throws Exception {
    LlmJudgeMetrics metrics = new LlmJudgeMetrics();
    try (OracleChatServer server =
            new OracleChatServer(
                TestGroups::rps, true, 1, Answers.PREFERENCE, (n, m) -> Fault.status(500), 0);
        LlmJudge judge =
            new LlmJudge(
                config(server, true)
                    .withPacing(32, Duration.ofMinutes(1), Duration.ofSeconds(5))
                    .withCalls(1, Duration.ofMillis(200), 2, Duration.ofMillis(1)),
                metrics)) {
      for (int g = 0; g < 5; g++) { // 10 calls, 20 failed attempts: the breaker opens
        judge.judge(TestGroups.group("g-" + g, "rock", "paper")).exceptionally(e -> null).get();
      }
      assertThat(judge.breakerState()).isEqualTo("OPEN");
      long before = server.requests();
      assertThatThrownBy(() -> judge.judge(TestGroups.group("late", "rock", "paper")).get())
          .cause()
          .isInstanceOf(LlmCallException.class)
          .hasMessageContaining("circuit-open");
      assertThat(server.requests()).as("the open breaker calls nobody").isEqualTo(before);
      assertThat(metrics.failures(LlmCallException.Kind.CIRCUIT_OPEN)).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void shouldWaitForTheBreakerInsteadOfSpendingAttempts() throws Exception {
    LlmJudgeMetrics metrics = new LlmJudgeMetrics();
    // the first 10 requests fail (5 calls of 2 attempts: the breaker opens), then the server has
    // recovered
    try (OracleChatServer server =
            new OracleChatServer(
                TestGroups::rps,
                true,
                1,
                Answers.PREFERENCE,
                (n, m) -> n <= 10 ? Fault.status(500) : Fault.NONE,
                0);
        LlmJudge judge =
            new LlmJudge(
                config(server, true)
                    .withPacing(32, Duration.ofMillis(300), Duration.ofSeconds(5))
                    .withCalls(1, Duration.ofSeconds(2), 2, Duration.ofMillis(1)),
                metrics)) {
      for (int g = 0; g < 3; g++) { // calls 1 to 5 fail, the breaker opens
        judge.judge(TestGroups.group("g-" + g, "rock", "paper")).exceptionally(e -> null).get();
      }
      // the next calls wait for the breaker to let them probe, spending no attempt meanwhile
      double[] p = judge.judge(TestGroups.group("after", "paper", "scissors")).get();
      assertThat(p[0]).isCloseTo(1.0 / 3.0, within(1e-12));
      assertThat(metrics.failures(LlmCallException.Kind.CIRCUIT_OPEN)).isPositive();
      assertThat(metrics.failures(LlmCallException.Kind.SERVER_ERROR)).isEqualTo(10);
    }
  }

  @Test
  void shouldNeverShowTheApiKey() {
    LlmJudgeConfig config =
        LlmJudgeConfig.of(
            ClusterConfig.of("127.0.0.1:9", "http://127.0.0.1:9"),
            java.net.URI.create("http://127.0.0.1:1/v1"),
            "m",
            "sk-very-secret",
            TestGroups.TASK,
            "app",
            "i");
    assertThat(config.toString()).doesNotContain("sk-very-secret").contains("apiKey=(set)");
    assertThat(config.apiKey()).isEqualTo("sk-very-secret");
  }
}
