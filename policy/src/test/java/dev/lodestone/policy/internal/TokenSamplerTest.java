package dev.lodestone.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {

  private static float[] floats(double... xs) {
    float[] f = new float[xs.length];
    for (int i = 0; i < xs.length; i++) {
      f[i] = (float) xs[i];
    }
    return f;
  }

  @Test
  void greedyTakesTheFirstMaximumWithLogProbZero() {
    TokenSampler s = new TokenSampler(4, true, 1.0);
    TokenSampler.Draw d = s.draw(new float[] {0.1f, 2f, 2f, -1f}, 0, null);
    assertThat(d.token()).isEqualTo(1);
    assertThat(d.logProb()).isZero();
  }

  @Test
  void nucleusKeepsTheSmallestSetReachingTopP() {
    // p = 0.5, 0.3, 0.15, 0.05; top-p 0.75 keeps {0, 1}, renormalised to 0.625 / 0.375.
    float[] probs = floats(0.5, 0.3, 0.15, 0.05);
    TokenSampler s = new TokenSampler(4, false, 0.75);
    SplittableRandom rng = new SplittableRandom(1);
    int[] counts = new int[4];
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      TokenSampler.Draw d = s.draw(probs, 0, rng);
      counts[d.token()]++;
      double expected = d.token() == 0 ? Math.log(0.625) : Math.log(0.375);
      assertThat(d.logProb()).isCloseTo(expected, within(1e-6));
    }
    assertThat(counts[2] + counts[3]).isZero();
    assertThat(counts[0] / (double) n).isCloseTo(0.625, within(0.015));
  }

  @Test
  void samplesInProportionAndReportsLogProbabilities() {
    float[] probs = floats(0.6, 0.1, 0.3);
    TokenSampler s = new TokenSampler(3, false, 1.0);
    SplittableRandom rng = new SplittableRandom(2);
    int[] counts = new int[3];
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      TokenSampler.Draw d = s.draw(probs, 0, rng);
      counts[d.token()]++;
      assertThat(d.logProb()).isCloseTo(Math.log(probs[d.token()]), within(1e-6));
    }
    assertThat(counts[0] / (double) n).isCloseTo(0.6, within(0.015));
    assertThat(counts[1] / (double) n).isCloseTo(0.1, within(0.015));
  }

  @Test
  void neverDrawsATokenOfProbabilityZero() {
    TokenSampler s = new TokenSampler(3, false, 1.0);
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < 1000; i++) {
      assertThat(s.draw(floats(0.0, 1.0, 0.0), 0, rng).token()).isEqualTo(1);
    }
  }

  @Test
  void readsTheRowAtItsOffset() {
    float[] two = {0f, 10f, 10f, 0f};
    TokenSampler s = new TokenSampler(2, true, 1.0);
    assertThat(s.draw(two, 0, null).token()).isEqualTo(1);
    assertThat(s.draw(two, 2, null).token()).isEqualTo(0);
  }
}
