package dev.lodestone.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PairsTest {

  @Test
  void shouldNumberPairsInCanonicalOrder() {
    for (int g = 2; g <= 9; g++) {
      int k = 0;
      for (int i = 0; i < g; i++) {
        for (int j = i + 1; j < g; j++) {
          assertThat(Pairs.index(i, j, g)).as("(%d,%d) of %d", i, j, g).isEqualTo(k++);
        }
      }
      assertThat(Pairs.count(g)).isEqualTo(k).isEqualTo(g * (g - 1) / 2);
    }
    assertThat(Pairs.index(1, 2, 3)).isEqualTo(2);
  }

  @Test
  void shouldRefusePairsThatAreNotOrderedIndicesOfTheGroup() {
    assertThatThrownBy(() -> Pairs.index(1, 1, 3)).hasMessageContaining("(1, 1)");
    assertThatThrownBy(() -> Pairs.index(2, 1, 3)).hasMessageContaining("0 <= i < j < 3");
    assertThatThrownBy(() -> Pairs.index(0, 3, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Pairs.count(-1)).hasMessageContaining("groupSize");
  }
}
