package dev.lodestone.judge.human;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.schemas.avro.LabelVerdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class AgreementTest {

  /**
   * The worked example of Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011): four
   * observers, twelve units, missing values; nominal alpha 0.743.
   */
  @Test
  void shouldReproduceKrippendorffsWorkedExample() {
    Integer[][] byUnit = {
      {1, 1, null, 1},
      {2, 2, 3, 2},
      {3, 3, 3, 3},
      {3, 3, 3, 3},
      {2, 2, 2, 2},
      {1, 2, 3, 4},
      {4, 4, 4, 4},
      {1, 1, 2, 1},
      {2, 2, 2, 2},
      {null, 5, 5, 5},
      {null, null, 1, 1},
      {null, 3, null, null}
    };
    List<List<Integer>> units = new ArrayList<>();
    for (Integer[] u : byUnit) {
      units.add(Arrays.stream(u).filter(Objects::nonNull).toList());
    }
    assertThat(Agreement.nominalAlpha(units)).isCloseTo(0.743, within(5e-4));
  }

  @Test
  void shouldBeOneForPerfectAgreementAndBelowZeroForSystematicDisagreement() {
    assertThat(Agreement.nominalAlpha(List.of(List.of("a", "a"), List.of("b", "b"))))
        .isEqualTo(1.0);
    assertThat(Agreement.nominalAlpha(List.of(List.of("a", "b"), List.of("b", "a")))).isLessThan(0);
    assertThat(Agreement.nominalAlpha(List.of(List.of("a")))).isNaN();
  }

  @Test
  void shouldCountAgreementWithTheGameAndKeepAWindowOfClosedPairs() {
    Agreement a = new Agreement(2);
    a.record("g1/0/1", "alice", LabelVerdict.I_BETTER, 0.9, false);
    a.record("g1/0/1", "bob", LabelVerdict.J_BETTER, 0.9, true);
    a.record("g2/0/1", "alice", LabelVerdict.TIE, 0.2, false);
    a.record("g2/0/1", "bob", LabelVerdict.J_BETTER, 0.2, true);
    a.record("g3/0/1", "alice", LabelVerdict.J_BETTER, 0.5, false); // no game preference
    a.record("g3/0/1", "bob", LabelVerdict.J_BETTER, Double.NaN, true);
    assertThat(a.pairs()).isEqualTo(2); // the window keeps the last two
    assertThat(a.withGame().get("alice")).containsExactly(0.5, 2.0);
    assertThat(a.withGame().get("bob")).containsExactly(0.5, 2.0);
  }
}
