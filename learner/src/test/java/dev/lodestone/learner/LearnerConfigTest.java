package dev.lodestone.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LearnerConfigTest {

  private static final ClusterConfig CLUSTER = ClusterConfig.of("localhost:9092", "http://x:8081");

  @Test
  void shouldUseTheDocumentedDefaults() {
    LearnerConfig c = LearnerConfig.builder(CLUSTER, "m").build();
    LearnerHyperparameters hp = c.hyperparameters();
    assertThat(hp).isEqualTo(LearnerHyperparameters.defaults());
    assertThat(hp.algorithm()).isEqualTo(LearnerAlgorithm.MPO);
    assertThat(hp.eta()).isEqualTo(LearnerHyperparameters.DEFAULT_ETA);
    assertThat(hp.alpha()).isEqualTo(LearnerHyperparameters.DEFAULT_ALPHA);
    assertThat(hp.magnetEvery()).isEqualTo(LearnerHyperparameters.DEFAULT_MAGNET_EVERY);
    assertThat(hp.publishEvery()).isEqualTo(LearnerHyperparameters.DEFAULT_PUBLISH_EVERY);
    assertThat(hp.batchGroups()).isEqualTo(LearnerHyperparameters.DEFAULT_BATCH_GROUPS);
    assertThat(hp.learningRate()).isEqualTo(LearnerHyperparameters.DEFAULT_LEARNING_RATE);
    assertThat(hp.lrDecaySteps()).isEqualTo(LearnerHyperparameters.DEFAULT_LR_DECAY_STEPS);
    assertThat(hp.cooldown()).isEqualTo(LearnerHyperparameters.DEFAULT_COOLDOWN);
    assertThat(hp.importanceClip()).isEqualTo(LearnerHyperparameters.DEFAULT_IMPORTANCE_CLIP);
    assertThat(hp.opponentCorrection()).isTrue();
    assertThat(hp.maxGradNorm()).isEqualTo(LearnerHyperparameters.DEFAULT_MAX_GRAD_NORM);
    assertThat(hp.adamBeta1()).isEqualTo(LearnerHyperparameters.DEFAULT_ADAM_BETA1);
    assertThat(hp.maxLogRatio()).isEqualTo(LearnerHyperparameters.DEFAULT_MAX_LOG_RATIO);
    assertThat(hp.seed()).isZero();
    assertThat(c.device()).isEqualTo("cpu");
    assertThat(c.maxSteps()).isZero();
    assertThat(c.maxDuration()).isZero();
    assertThat(c.groupId()).isEqualTo("lodestone-learner-m");
    assertThat(c.transactionalId()).isEqualTo("lodestone-learner-m");
    assertThat(c.startOffset()).isEmpty();
    assertThat(c.startTime()).isEmpty();
    assertThat(c.groupsPerVersion())
        .isEqualTo(
            LearnerHyperparameters.DEFAULT_BATCH_GROUPS
                * LearnerHyperparameters.DEFAULT_PUBLISH_EVERY);
  }

  @Test
  void shouldWriteEveryFieldAsJson() throws Exception {
    LearnerConfig c =
        LearnerConfig.builder(CLUSTER, "m")
            .hyperparameters(
                LearnerHyperparameters.builder()
                    .algorithm(LearnerAlgorithm.MPO_RT)
                    .eta(0.5)
                    .alpha(0.3)
                    .magnetEvery(7)
                    .publishEvery(3)
                    .batchGroups(5)
                    .learningRate(0.01)
                    .lrDecaySteps(250)
                    .cooldown(0.4)
                    .importanceClip(3)
                    .opponentCorrection(false)
                    .maxGradNorm(0)
                    .seed(9)
                    .build())
            .maxSteps(100)
            .maxDuration(Duration.ofMinutes(3))
            .metricsInterval(Duration.ofSeconds(2))
            .startTime(Instant.parse("2026-01-01T00:00:00Z"))
            .groupId("g1")
            .build();
    JsonNode j = new ObjectMapper().readTree(c.toJson());
    assertThat(j.get("algorithm").asText()).isEqualTo("mpo-rt");
    assertThat(j.get("eta").asDouble()).isEqualTo(0.5);
    assertThat(j.get("alpha").asDouble()).isEqualTo(0.3);
    assertThat(j.get("magnetEvery").asInt()).isEqualTo(7);
    assertThat(j.get("publishEvery").asInt()).isEqualTo(3);
    assertThat(j.get("batchGroups").asInt()).isEqualTo(5);
    assertThat(j.get("learningRate").asDouble()).isEqualTo(0.01);
    assertThat(j.get("lrDecaySteps").asInt()).isEqualTo(250);
    assertThat(j.get("cooldown").asDouble()).isEqualTo(0.4);
    assertThat(j.get("importanceClip").asDouble()).isEqualTo(3.0);
    assertThat(j.get("opponentCorrection").asBoolean()).isFalse();
    assertThat(j.get("maxGradNorm").asDouble()).isEqualTo(0.0);
    assertThat(j.get("seed").asLong()).isEqualTo(9);
    assertThat(j.get("maxSteps").asLong()).isEqualTo(100);
    assertThat(j.get("maxDurationMs").asLong()).isEqualTo(180_000);
    assertThat(j.get("metricsIntervalMs").asLong()).isEqualTo(2000);
    assertThat(j.get("startOffset").isNull()).isTrue();
    assertThat(j.get("startTime").asText()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(j.get("groupId").asText()).isEqualTo("g1");
    assertThat(j.get("modelId").asText()).isEqualTo("m");
    assertThat(j.get("bootstrapServers").asText()).isEqualTo("localhost:9092");
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "eta|eta must be positive and finite, got 0.0",
        "alpha|alpha must be finite and >= 0, got -1.0",
        "magnetEvery|magnetEvery must be at least 1, got 0",
        "publishEvery|publishEvery must be at least 1, got 0",
        "batchGroups|batchGroups must be at least 1, got 0",
        "learningRate|learningRate must be positive and finite, got NaN",
        "lrDecaySteps|lrDecaySteps must be >= 0 (0: constant learning rate), got -1",
        "cooldown|cooldown must be in [0, 1) (0: off), got 1.0",
        "cooldownNaN|cooldown must be in [0, 1) (0: off), got NaN",
        "importanceClip|importanceClip must be finite and >= 1, got 0.5",
        "maxGradNorm|maxGradNorm must be finite and >= 0 (0 disables clipping), got -1.0",
        "maxLogRatio|maxLogRatio must be finite and >= 0 (0 disables the trust region), got -0.5",
        "adamBeta1|adamBeta1 must be in [0, 1), got 1.0",
        "device|device must be cpu, gpu or gpu:N, got 'tpu'",
        "maxSteps|maxSteps must be >= 0 (0: no limit), got -1",
        "maxDuration|maxDuration must be >= 0 (0: no limit), got PT-1S",
        "metricsInterval|metricsInterval must be positive, got PT0S",
        "startOffset|startOffset must be >= 0, got -3",
        "both|startOffset and startTime are exclusive",
        "groupId|groupId must be 1-200 characters of [A-Za-z0-9._-], got 'a b'",
      })
  void shouldNameTheFieldAndTheBadValue(String field, String message) {
    UnaryOperator<LearnerHyperparameters.Builder> badHp =
        switch (field) {
          case "eta" -> b -> b.eta(0);
          case "alpha" -> b -> b.alpha(-1);
          case "magnetEvery" -> b -> b.magnetEvery(0);
          case "publishEvery" -> b -> b.publishEvery(0);
          case "batchGroups" -> b -> b.batchGroups(0);
          case "learningRate" -> b -> b.learningRate(Double.NaN);
          case "lrDecaySteps" -> b -> b.lrDecaySteps(-1);
          case "cooldown" -> b -> b.cooldown(1);
          case "cooldownNaN" -> b -> b.cooldown(Double.NaN);
          case "importanceClip" -> b -> b.importanceClip(0.5);
          case "maxGradNorm" -> b -> b.maxGradNorm(-1);
          case "maxLogRatio" -> b -> b.maxLogRatio(-0.5);
          case "adamBeta1" -> b -> b.adamBeta1(1);
          default -> null;
        };
    if (badHp != null) {
      assertThatThrownBy(() -> badHp.apply(LearnerHyperparameters.builder()).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(message);
      return;
    }
    UnaryOperator<LearnerConfig.Builder> bad =
        switch (field) {
          case "device" -> b -> b.device("tpu");
          case "maxSteps" -> b -> b.maxSteps(-1);
          case "maxDuration" -> b -> b.maxDuration(Duration.ofSeconds(-1));
          case "metricsInterval" -> b -> b.metricsInterval(Duration.ZERO);
          case "startOffset" -> b -> b.startOffset(-3);
          case "both" -> b -> b.startOffset(1).startTime(Instant.EPOCH);
          case "groupId" -> b -> b.groupId("a b");
          default -> throw new IllegalArgumentException(field);
        };
    assertThatThrownBy(() -> bad.apply(LearnerConfig.builder(CLUSTER, "m")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void shouldDecayTheLearningRateHarmonically() {
    LearnerHyperparameters hp =
        LearnerHyperparameters.builder().learningRate(0.01).lrDecaySteps(100).build();
    assertThat(hp.learningRateAt(0)).isEqualTo(0.01);
    assertThat(hp.learningRateAt(100)).isEqualTo(0.005);
    assertThat(hp.learningRateAt(300)).isEqualTo(0.0025);
    LearnerHyperparameters constant =
        LearnerHyperparameters.builder().learningRate(0.01).lrDecaySteps(0).build();
    assertThat(constant.learningRateAt(1_000_000)).isEqualTo(0.01);
  }

  @Test
  void shouldCoolTheLearningRateDownLinearlyOverTheLastFractionOfABudget() {
    LearnerHyperparameters hp =
        LearnerHyperparameters.builder()
            .learningRate(0.01)
            .lrDecaySteps(100)
            .cooldown(0.25)
            .build();
    // Before the cooldown, and without a budget (NaN): the decay alone.
    assertThat(hp.learningRateAt(100, 0.0)).isEqualTo(0.005);
    assertThat(hp.learningRateAt(100, 0.75)).isEqualTo(0.005);
    assertThat(hp.learningRateAt(100, Double.NaN)).isEqualTo(0.005);
    // Halfway through the cooldown: (1 + 0.1) / 2 of the decay; at the end and past it: 0.1.
    assertThat(hp.cooldownFactor(0.875)).isCloseTo(0.55, within(1e-12));
    assertThat(hp.learningRateAt(100, 0.875)).isCloseTo(0.00275, within(1e-15));
    assertThat(hp.cooldownFactor(0.8)).isCloseTo(1 - 0.9 * 0.2, within(1e-12));
    assertThat(hp.cooldownFactor(1.0))
        .isCloseTo(LearnerHyperparameters.COOLDOWN_FLOOR, within(1e-12));
    assertThat(hp.cooldownFactor(1.3))
        .isCloseTo(LearnerHyperparameters.COOLDOWN_FLOOR, within(1e-12));
    assertThatThrownBy(() -> hp.learningRateAt(0, -0.1))
        .hasMessage("progress must be >= 0 or NaN, got -0.1");
    LearnerHyperparameters off =
        LearnerHyperparameters.builder().learningRate(0.01).lrDecaySteps(0).cooldown(0).build();
    assertThat(off.learningRateAt(5, 0.99)).isEqualTo(0.01);
  }

  @Test
  void shouldRejectAModelIdWithASlash() {
    assertThatThrownBy(() -> LearnerConfig.builder(CLUSTER, "a/b").build())
        .hasMessage("modelId must be non-blank and without '/', got 'a/b'");
  }

  @Test
  void shouldParseAlgorithmIds() {
    for (LearnerAlgorithm a : LearnerAlgorithm.values()) {
      assertThat(LearnerAlgorithm.parse(a.id())).isEqualTo(a);
      assertThat(LearnerAlgorithm.parse(a.name())).isEqualTo(a);
    }
    assertThat(LearnerAlgorithm.MPO_RT.id()).isEqualTo("mpo-rt");
    assertThat(LearnerAlgorithm.FIXED_MAGNET.id()).isEqualTo("fixed-magnet");
    assertThat(LearnerAlgorithm.NASH_MD.id()).isEqualTo("nash-md");
    assertThatThrownBy(() -> LearnerAlgorithm.parse("nash"))
        .hasMessage(
            "algorithm must be one of mpo, mpo-rt, omd, fixed-magnet, sppo, nash-md, online-dpo,"
                + " online-ipo, onpo, egpo, got 'nash'");
  }
}
