package dev.lodestone.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.serde.DeadLetterReason;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Validation of labelled groups before training: each bad record names what is wrong. */
class TrainingGroupTest {

  private static LabeledGroup good;

  @BeforeAll
  static void group() {
    try (PolicyModel model = PolicyModel.create(TestGroups.TINY, Device.cpu(), 3)) {
      good = TestGroups.labeled(model, 1, 3, 5, 4, "g").get(0);
    }
  }

  private static LabeledGroup with(Consumer<LabeledGroup> change) {
    LabeledGroup copy = LabeledGroup.newBuilder(good).build();
    change.accept(copy);
    return copy;
  }

  @Test
  void shouldConvertAGoodGroupWithItsRewards() {
    TrainingGroup g = TrainingGroup.of(good, TestGroups.TINY);
    assertThat(g.size()).isEqualTo(3);
    assertThat(g.policyVersion()).isEqualTo(4);
    double[][] p = new double[3][3];
    for (PairPreference pp : good.getPreferences()) {
      p[pp.getI()][pp.getJ()] = pp.getProbability();
    }
    double[][] full = TrainingGroup.allPairs(p);
    for (int i = 0; i < 3; i++) {
      assertThat(g.preferences()[i]).containsExactly(full[i]);
    }
    // r_i = mean_{j != i} p_ij
    assertThat(g.rewards()[0]).isCloseTo((full[0][1] + full[0][2]) / 2, within(1e-15));
  }

  @Test
  void shouldGiveHalfToAResponseWithoutLabelledPairs() {
    LabeledGroup partial =
        with(l -> l.setPreferences(List.of(new PairPreference(0, 1, 0.9, 1, List.of()))));
    assertThat(TrainingGroup.of(partial, TestGroups.TINY).rewards())
        .containsExactly(0.9, 0.09999999999999998, 0.5);
  }

  @Test
  void shouldRejectABadProbability() {
    for (double bad : new double[] {Double.NaN, -0.1, 1.5, Double.POSITIVE_INFINITY}) {
      LabeledGroup g =
          with(l -> l.setPreferences(List.of(new PairPreference(0, 1, bad, 1, List.of()))));
      assertThatThrownBy(() -> TrainingGroup.of(g, TestGroups.TINY))
          .isInstanceOfSatisfying(
              InvalidGroupException.class,
              e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.INVALID_PROBABILITY))
          .hasMessageContaining("outside [0, 1]");
    }
  }

  @Test
  void shouldRejectTokenIdsOutsideTheVocabulary() {
    LabeledGroup g =
        with(
            l -> {
              Response r = l.getGroup().getResponses().get(1);
              List<Integer> ids = new ArrayList<>(r.getTokenIds());
              ids.set(0, 99);
              r.setTokenIds(ids);
            });
    assertThatThrownBy(() -> TrainingGroup.of(g, TestGroups.TINY))
        .isInstanceOfSatisfying(
            InvalidGroupException.class,
            e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.INVALID_RECORD))
        .hasMessageContaining("response 1 has token id 99, outside the vocabulary [0, 8)");
  }

  @Test
  void shouldRejectMismatchedLengths() {
    LabeledGroup g =
        with(
            l -> {
              Response r = l.getGroup().getResponses().get(0);
              List<Float> lps = new ArrayList<>(r.getLogProbs());
              lps.add(-1f);
              r.setLogProbs(lps);
            });
    assertThatThrownBy(() -> TrainingGroup.of(g, TestGroups.TINY))
        .isInstanceOf(InvalidGroupException.class)
        .hasMessageContaining("response 0 has")
        .hasMessageContaining("log-probabilities");
  }

  @Test
  void shouldRejectBadPairsAndTooFewResponses() {
    LabeledGroup outOfRange =
        with(l -> l.setPreferences(List.of(new PairPreference(0, 3, 0.5, 1, List.of()))));
    assertThatThrownBy(() -> TrainingGroup.of(outOfRange, TestGroups.TINY))
        .hasMessageContaining("pair (0, 3), G is 3");
    LabeledGroup twice =
        with(
            l ->
                l.setPreferences(
                    List.of(
                        new PairPreference(0, 1, 0.5, 1, List.of()),
                        new PairPreference(1, 0, 0.5, 1, List.of()))));
    assertThatThrownBy(() -> TrainingGroup.of(twice, TestGroups.TINY))
        .hasMessageContaining("pair (0, 1) twice");
    LabeledGroup one =
        with(l -> l.getGroup().setResponses(List.of(l.getGroup().getResponses().get(0))));
    assertThatThrownBy(() -> TrainingGroup.of(one, TestGroups.TINY))
        .hasMessageContaining("has 1 responses; at least 2 are needed");
  }
}
