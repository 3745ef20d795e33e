package dev.lodestone.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {

  private static float[] logitsOf(double... probs) {
    float[] l = new float[probs.length];
    for (int i = 0; i < probs.length; i++) {
      l[i] = (float) Math.log(probs[i]);
    }
    return l;
  }

  @Test
  void greedyTakesTheFirstMaximumWithLogProbZero() {
    TokenSampler s = new TokenSampler(4, 0.0, 1.0);
    TokenSampler.Draw d = s.draw(new float[] {0.1f, 2f, 2f, -1f}, 0, null);
    assertThat(d.token()).isEqualTo(1);
    assertThat(d.logProb()).isZero();
  }

  @Test
  void nucleusKeepsTheSmallestSetReachingTopP() {
    // p = 0.5, 0.3, 0.15, 0.05; top-p 0.8 keeps {0, 1}, renormalised to 0.625 / 0.375.
    float[] logits = logitsOf(0.5, 0.3, 0.15, 0.05);
    TokenSampler s = new TokenSampler(4, 1.0, 0.8);
    SplittableRandom rng = new SplittableRandom(1);
    int[] counts = new int[4];
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      TokenSampler.Draw d = s.draw(logits, 0, rng);
      counts[d.token()]++;
      double expected = d.token() == 0 ? Math.log(0.625) : Math.log(0.375);
      assertThat(d.logProb()).isCloseTo(expected, within(1e-6));
    }
    assertThat(counts[2] + counts[3]).isZero();
    assertThat(counts[0] / (double) n).isCloseTo(0.625, within(0.015));
  }

  @Test
  void temperatureSharpensTheDistribution() {
    float[] logits = logitsOf(0.6, 0.4);
    TokenSampler s = new TokenSampler(2, 0.5, 1.0);
    // softmax(log p / 0.5) = p^2 / sum p^2 = 0.36 / 0.52, 0.16 / 0.52
    SplittableRandom rng = new SplittableRandom(2);
    for (int i = 0; i < 100; i++) {
      TokenSampler.Draw d = s.draw(logits, 0, rng);
      double p = d.token() == 0 ? 0.36 / 0.52 : 0.16 / 0.52;
      assertThat(d.logProb()).isCloseTo(Math.log(p), within(1e-6));
    }
  }

  @Test
  void readsTheRowAtItsOffset() {
    float[] two = {0f, 10f, 10f, 0f};
    TokenSampler s = new TokenSampler(2, 0.0, 1.0);
    assertThat(s.draw(two, 0, null).token()).isEqualTo(1);
    assertThat(s.draw(two, 2, null).token()).isEqualTo(0);
  }
}
