package dev.lodestone.infra.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.games.InvalidGameException;
import dev.lodestone.policy.warmup.WarmupCorpus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskSetupTest {

  @Test
  void shouldDeriveAModelIdThatTheTopicsAccept() {
    assertThat(TaskSetup.of("perturbed-rps").defaultModelId()).isEqualTo("perturbed-rps");
    assertThat(TaskSetup.of("random:5:1").defaultModelId()).isEqualTo("random-5-1");
  }

  @Test
  void shouldTeachTheGamesInitialDistributionOnItsPrompt() {
    WarmupCorpus.Task t = TaskSetup.of("condorcet").warmupCorpus().tasks().get(0);
    assertThat(t.prompt()).isEqualTo("Vote for one candidate: alice, bob or carol.");
    assertThat(t.responses()).containsExactly("alice", "bob", "carol");
    assertThat(t.probabilities()).containsExactly(0.1, 0.2, 0.7);
  }

  @Test
  void shouldGiveTheExactNashByStrategy() {
    Map<String, Double> nash = TaskSetup.of("perturbed-rps").nash();
    assertThat(nash.keySet()).containsExactly("rock", "paper", "scissors");
    assertThat(nash.get("rock")).isCloseTo(1.0 / 7, within(1e-9));
    assertThat(nash.get("scissors")).isCloseTo(3.0 / 7, within(1e-9));
  }

  @Test
  void shouldRejectAnUnknownTask() {
    assertThatThrownBy(() -> TaskSetup.of("chess"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessageContaining("unknown game 'chess'");
  }

  @Test
  void modelSizesShouldParseTheirNames() {
    assertThat(ModelSize.parse("tiny").config().dModel()).isEqualTo(32);
    assertThat(ModelSize.parse("default")).isEqualTo(ModelSize.DEFAULT);
    assertThatThrownBy(() -> ModelSize.parse("huge"))
        .hasMessage("model must be tiny or default, got 'huge'");
  }
}
