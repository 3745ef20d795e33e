package dev.lodestone.games;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreferenceGameTest {

  private static final List<String> RPS = List.of("rock", "paper", "scissors");

  private static double[][] rpsMatrix() {
    return new double[][] {{0.5, 0.0, 1.0}, {1.0, 0.5, 0.0}, {0.0, 1.0, 0.5}};
  }

  private static PreferenceGame game(List<String> strategies, double[][] p, double[] initial) {
    return new PreferenceGame("g", "Pick.", strategies, p, initial);
  }

  @Test
  void shouldComputeGapOfHandWorkedExample() {
    PreferenceGame g = Games.perturbedRps();
    double[] pi = {0.5, 0.25, 0.25};
    // P pi: rock 0.5*0.5 + 0 + 1*0.25 = 0.5; paper 1*0.5 + 0.5*0.25 + 0.25/3 = 0.708333...;
    // scissors 0 + (2/3)*0.25 + 0.5*0.25 = 0.291666...; gap = 2 * 0.708333 - 1 = 0.416666...
    assertThat(g.winRates(pi))
        .containsExactly(new double[] {0.5, 0.7083333333, 0.2916666667}, within(1e-9));
    assertThat(g.gap(pi)).isCloseTo(5.0 / 12.0, within(1e-12));
    assertThat(g.bestResponse(pi)).isEqualTo(1);
    assertThat(g.exploitability(pi)).isCloseTo(5.0 / 24.0, within(1e-12));
  }

  @Test
  void shouldHaveZeroGapAtNash() {
    assertThat(Games.perturbedRps().gap(new double[] {1.0 / 7, 3.0 / 7, 3.0 / 7}))
        .isCloseTo(0.0, within(1e-15));
    assertThat(Games.rps().gap(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}))
        .isCloseTo(0.0, within(1e-15));
    assertThat(Games.rps().gap(new double[] {1.0, 0.0, 0.0})).isEqualTo(1.0);
  }

  @Test
  void shouldCountLeftoverMassAsInvalidInExploitability() {
    PreferenceGame g = Games.rps();
    // A model that puts 0.3 on each strategy and 0.1 on invalid text: a best responder (any
    // strategy) wins 0.3*0.5 + 0.3*1 + 0.3*0 = 0.45 against the valid mass and all 0.1 invalid
    // mass: 0.55, so exploitability 0.05.
    assertThat(g.exploitability(new double[] {0.3, 0.3, 0.3})).isCloseTo(0.05, within(1e-12));
    // All mass invalid: any valid strategy wins for sure.
    assertThat(g.exploitability(new double[] {0, 0, 0})).isCloseTo(0.5, within(1e-12));
    assertThatThrownBy(() -> g.exploitability(new double[] {0.6, 0.6, 0.0}))
        .hasMessageContaining("sum to 1.2");
    assertThatThrownBy(() -> g.exploitability(new double[] {-0.1, 0.6, 0.0}))
        .hasMessageContaining("strategyProbs[0] = -0.1");
  }

  @Test
  void shouldJudgeInvalidResponsesAsLosingToValidAndTyingEachOther() {
    PreferenceGame g = Games.perturbedRps();
    assertThat(g.judge("paper", "scissors")).isCloseTo(1.0 / 3, within(1e-15));
    assertThat(g.judge("paper", "rock")).isEqualTo(1.0);
    assertThat(g.judge("rock", "I pick a rock")).isEqualTo(1.0);
    assertThat(g.judge("Rock", "paper")).isEqualTo(0.0);
    assertThat(g.judge("", "stone")).isEqualTo(0.5);
    assertThat(g.judge(null, "rock")).isEqualTo(0.0);
    assertThat(g.indexOf("scissors")).isEqualTo(2);
    assertThat(g.indexOf("scissors ")).isEqualTo(-1);
  }

  @Test
  void shouldBeImmutable() {
    double[][] p = rpsMatrix();
    double[] init = {0.7, 0.2, 0.1};
    PreferenceGame g = game(RPS, p, init);
    p[0][1] = 0.9;
    init[0] = 0.0;
    g.preferences()[0][1] = 0.9;
    g.initial().orElseThrow()[0] = 0.0;
    assertThat(g.preference(0, 1)).isEqualTo(0.0);
    assertThat(g.initial().orElseThrow()[0]).isEqualTo(0.7);
    assertThatThrownBy(() -> g.strategies().set(0, "x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void shouldRejectBlankName() {
    assertThatThrownBy(() -> new PreferenceGame(" ", "p", RPS, rpsMatrix(), null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessageContaining("name");
  }

  @Test
  void shouldRejectMissingPrompt() {
    assertThatThrownBy(() -> new PreferenceGame("g", null, RPS, rpsMatrix(), null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game 'g': prompt is missing");
  }

  @Test
  void shouldRejectFewerThanTwoStrategies() {
    assertThatThrownBy(() -> game(List.of("a"), new double[][] {{0.5}}, null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game 'g': needs at least 2 strategies, got 1");
  }

  @Test
  void shouldRejectEmptyStrategyName() {
    assertThatThrownBy(() -> game(List.of("rock", "", "scissors"), rpsMatrix(), null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game 'g': strategies[1] must be a non-empty string, got ''");
  }

  @Test
  void shouldRejectDuplicateStrategyNames() {
    assertThatThrownBy(() -> game(List.of("rock", "paper", "rock"), rpsMatrix(), null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage(
            "game 'g': strategies[2] = 'rock' repeats strategies[0]; strategy names must be unique");
  }

  @Test
  void shouldRejectMatrixWithWrongRowCount() {
    double[][] p = {{0.5, 0.0, 1.0}, {1.0, 0.5, 0.0}};
    assertThatThrownBy(() -> game(RPS, p, null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game 'g': preferences has 2 rows, expected 3 (one per strategy)");
  }

  @Test
  void shouldRejectNonSquareMatrix() {
    double[][] p = {{0.5, 0.0, 1.0}, {1.0, 0.5}, {0.0, 1.0, 0.5}};
    assertThatThrownBy(() -> game(RPS, p, null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage(
            "game 'g': preferences[1] has 2 entries, expected 3 (the matrix must be square)");
  }

  @Test
  void shouldRejectEntryOutsideUnitInterval() {
    double[][] p = rpsMatrix();
    p[1][2] = 1.5;
    assertThatThrownBy(() -> game(RPS, p, null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game 'g': preferences[1][2] = 1.5 is not a probability in [0, 1]");
  }

  @Test
  void shouldRejectNonFiniteEntry() {
    double[][] p = rpsMatrix();
    p[2][0] = Double.NaN;
    assertThatThrownBy(() -> game(RPS, p, null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game 'g': preferences[2][0] = NaN is not a probability in [0, 1]");
  }

  @Test
  void shouldRejectDiagonalOtherThanOneHalf() {
    double[][] p = rpsMatrix();
    p[1][1] = 0.6;
    assertThatThrownBy(() -> game(RPS, p, null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game 'g': preferences[1][1] = 0.6 must be 1/2 (a strategy ties itself)");
  }

  @Test
  void shouldRejectPairNotSummingToOne() {
    double[][] p = rpsMatrix();
    p[0][2] = 0.9;
    assertThatThrownBy(() -> game(RPS, p, null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessageStartingWith(
            "game 'g': preferences[0][2] + preferences[2][0] = 0.9 + 0.0 = 0.9, must be 1");
  }

  @Test
  void shouldAcceptPairSummingToOneWithinTolerance() {
    double[][] p = {{0.5, 0.3333333333}, {0.6666666667, 0.5}};
    assertThat(game(List.of("a", "b"), p, null).preference(0, 1)).isEqualTo(0.3333333333);
  }

  @Test
  void shouldRejectInitialOfWrongLength() {
    assertThatThrownBy(() -> game(RPS, rpsMatrix(), new double[] {0.5, 0.5}))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game 'g': initial has 2 entries, expected 3");
  }

  @Test
  void shouldRejectNegativeInitial() {
    assertThatThrownBy(() -> game(RPS, rpsMatrix(), new double[] {1.2, -0.1, -0.1}))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game 'g': initial[1] = -0.1 must be a finite non-negative probability");
  }

  @Test
  void shouldRejectNonFiniteInitial() {
    assertThatThrownBy(() -> game(RPS, rpsMatrix(), new double[] {Double.NaN, 0.5, 0.5}))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game 'g': initial[0] = NaN must be a finite non-negative probability");
  }

  @Test
  void shouldRejectInitialNotSummingToOne() {
    assertThatThrownBy(() -> game(RPS, rpsMatrix(), new double[] {0.7, 0.2, 0.2}))
        .isInstanceOf(InvalidGameException.class)
        .hasMessageStartingWith("game 'g': initial sums to 1.0999999999999999, must sum to 1");
  }

  @Test
  void shouldRejectMissingStrategiesAndMatrix() {
    assertThatThrownBy(() -> game(null, rpsMatrix(), null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game 'g': strategies are missing");
    assertThatThrownBy(() -> game(RPS, null, null))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game 'g': preferences are missing");
  }

  @Test
  void shouldRejectPolicyOfWrongLengthInMeasures() {
    PreferenceGame g = Games.rps();
    assertThatThrownBy(() -> g.gap(new double[] {0.5, 0.5}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pi has 2 entries");
    assertThatThrownBy(() -> g.winRates(new double[] {0.5, 0.5, 0.5}))
        .hasMessageContaining("pi sums to 1.5");
  }

  @Test
  void shouldCompareGamesByContent() {
    assertThat(Games.rps()).isEqualTo(Games.rps());
    assertThat(Games.rps()).isNotEqualTo(Games.perturbedRps());
    assertThat(Arrays.deepEquals(Games.rps().preferences(), rpsMatrix())).isTrue();
  }
}
