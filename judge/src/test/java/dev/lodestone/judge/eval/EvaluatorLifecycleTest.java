package dev.lodestone.judge.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.games.Games;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.ServiceState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EvaluatorLifecycleTest {
  private static Evaluator evaluator() {
    // Nothing listens on port 1: the cluster never answers.
    ClusterConfig nowhere = ClusterConfig.of("127.0.0.1:1", "http://127.0.0.1:1");
    return new Evaluator(EvaluatorConfig.builder(nowhere, "m", Games.rps()).build());
  }

  @Test
  void startShouldGiveUpAfterItsTimeoutWhenTheClusterDoesNotAnswer() {
    Evaluator evaluator = evaluator();
    assertThatThrownBy(() -> evaluator.start(Duration.ofSeconds(3)))
        .isInstanceOf(ServiceException.class)
        .hasMessageContaining(evaluator.name());
    assertThat(evaluator.state().isTerminal()).isTrue();
    assertThat(evaluator.evaluations()).isZero();
  }

  @Test
  void closeWithoutStartShouldStop() {
    Evaluator evaluator = evaluator();
    evaluator.close();
    evaluator.close();
    assertThat(evaluator.state()).isEqualTo(ServiceState.STOPPED);
    assertThat(evaluator.latest()).isEmpty();
  }
}
