package dev.lodestone.judge.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.games.Games;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EvaluatorConfigTest {
  private static final ClusterConfig CLUSTER =
      ClusterConfig.of("localhost:9092", "http://localhost:8081");

  @Test
  void shouldApplyTheDocumentedDefaults() {
    EvaluatorConfig c = EvaluatorConfig.builder(CLUSTER, "m", Games.perturbedRps()).build();
    assertThat(c.instanceId()).matches("evaluator-[0-9a-f]{8}");
    assertThat(c.prompt()).isEqualTo("Choose your move.");
    assertThat(c.reference()).isEqualTo(ReferencePolicy.firstVersion());
    assertThat(c.device()).isEqualTo("cpu");
    assertThat(c.minInterval()).isZero();
  }

  @Test
  void shouldNameTheFieldAndTheBadValue() {
    var b = EvaluatorConfig.builder(CLUSTER, "m", Games.rps());
    assertThatThrownBy(() -> b.device("cuda").build())
        .hasMessage("device must be cpu, gpu or gpu:N, got 'cuda'");
    assertThatThrownBy(() -> b.device("cpu").minInterval(Duration.ofSeconds(-1)).build())
        .hasMessage("minInterval must be >= 0, got PT-1S");
    assertThatThrownBy(() -> b.minInterval(Duration.ZERO).instanceId("has space").build())
        .hasMessageContaining("instanceId must be 1-128 characters");
    assertThatThrownBy(() -> EvaluatorConfig.builder(CLUSTER, "a/b", Games.rps()).build())
        .hasMessage("modelId must be non-blank and without '/', got 'a/b'");
    assertThatThrownBy(() -> b.instanceId("e").prompt(null).build())
        .hasMessage("prompt must not be null");
    assertThatThrownBy(() -> ReferencePolicy.weights(new byte[0]))
        .hasMessage("reference weights must not be empty");
  }

  @Test
  void givenReferenceWeightsAreCopiedAndComparedByHash() {
    byte[] blob = {1, 2, 3};
    ReferencePolicy.Weights w = (ReferencePolicy.Weights) ReferencePolicy.weights(blob);
    blob[0] = 9;
    assertThat(w.blob()).containsExactly(1, 2, 3);
    assertThat(w).isEqualTo(ReferencePolicy.weights(new byte[] {1, 2, 3}));
    assertThat(w).isNotEqualTo(ReferencePolicy.weights(new byte[] {1, 2, 4}));
  }
}
