package dev.lodestone.infra.options;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.learner.LearnerHyperparameters;
import dev.lodestone.learner.loss.ImportanceWeights;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The learner's options as a command parses them. */
class LearnerOptionsTest {

  @Command(name = "learner-options")
  static final class Holder {
    @Spec CommandSpec spec;
    @Mixin LearnerOptions learner;
  }

  private static LearnerHyperparameters parse(String... args) {
    Holder h = new Holder();
    new CommandLine(h).parseArgs(args);
    return h.learner.hyperparameters(h.spec, 1);
  }

  @Test
  void shouldTurnTheOpponentCorrectionOffAndOnAsWritten() {
    assertThat(parse().opponentCorrection()).isTrue();
    assertThat(parse("--no-opponent-correction").opponentCorrection()).isFalse();
    assertThat(parse("--opponent-correction").opponentCorrection()).isTrue();
  }

  @Test
  void shouldReadTheAblationsOptions() {
    LearnerHyperparameters hp =
        parse("--importance-weights", "sequence", "--adam-reset", "version", "--adam-beta1", "0.9");
    assertThat(hp.importanceWeights()).isEqualTo(ImportanceWeights.SEQUENCE);
    assertThat(hp.adamReset()).isEqualTo(LearnerHyperparameters.AdamReset.VERSION);
    assertThat(hp.adamBeta1()).isEqualTo(0.9);
    assertThat(parse().importanceWeights()).isEqualTo(ImportanceWeights.TOKEN);
    assertThat(parse().adamReset()).isEqualTo(LearnerHyperparameters.AdamReset.NEVER);
  }
}
