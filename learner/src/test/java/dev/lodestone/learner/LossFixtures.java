package dev.lodestone.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lodestone.learner.loss.LabelledBatch;
import dev.lodestone.learner.loss.LossOutput;
import dev.lodestone.learner.loss.ScoredBatch;
import java.util.SplittableRandom;

/** Helpers of the loss tests: random policies, conversions, and a loss on scored arrays. */
final class LossFixtures {
  private LossFixtures() {}

  /** A random policy over {@code n} actions, every probability at least about 0.2 / n. */
  static double[] randomPolicy(SplittableRandom rng, int n) {
    double[] p = new double[n];
    double s = 0;
    for (int i = 0; i < n; i++) {
      p[i] = 0.2 + rng.nextDouble();
      s += p[i];
    }
    for (int i = 0; i < n; i++) {
      p[i] /= s;
    }
    return p;
  }

  static double[] log(double[] p) {
    double[] l = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      l[i] = Math.log(p[i]);
    }
    return l;
  }

  static float[] toFloat(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  /** The algorithm's loss of {@code hp} on a batch scored by the three log-probability arrays. */
  static LossOutput compute(
      NDManager m,
      LabelledBatch in,
      NDArray logPi,
      NDArray logPrevious,
      NDArray logMagnet,
      LearnerHyperparameters hp) {
    return hp.algorithm().loss(hp).compute(m, ScoredBatch.of(m, in, logPi, logPrevious, logMagnet));
  }
}
