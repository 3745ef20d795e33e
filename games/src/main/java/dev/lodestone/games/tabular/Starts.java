package dev.lodestone.games.tabular;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Start policies of the tabular solvers. */
public final class Starts {
  private Starts() {}

  /** The uniform policy over {@code n} strategies. */
  public static double[] uniform(int n) {
    double[] u = new double[n];
    Arrays.fill(u, 1.0 / n);
    return u;
  }

  /** A flat-Dirichlet random policy over {@code n} strategies (normalized exponential draws). */
  public static double[] dirichlet(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] p = new double[n];
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
      p[i] = -Math.log(1.0 - rng.nextDouble());
      sum += p[i];
    }
    for (int i = 0; i < n; i++) {
      p[i] /= sum;
    }
    return p;
  }
}
