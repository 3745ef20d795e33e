package dev.lodestone.games.tabular;

/**
 * Log-space arithmetic shared by the solvers. A policy is held as {@code z = log pi} with {@code
 * logsumexp(z) = 0}; entries of {@code -infinity} are probability zero (a start or magnet on a face
 * of the simplex), which every update keeps at zero.
 */
final class LogPolicy {

  private LogPolicy() {}

  /**
   * Normalizes unnormalized log-weights {@code w} into {@code z = w - logsumexp(w)} and {@code pi =
   * exp(z)}, shifting by the maximum first so nothing overflows and the largest entry of {@code pi}
   * is at least 1/N. {@code w} and {@code z} may be the same array.
   *
   * @throws IllegalStateException if {@code w} has a NaN or no finite entry
   */
  static void normalize(double[] w, double[] z, double[] pi) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : w) {
      if (Double.isNaN(v) || v == Double.POSITIVE_INFINITY) {
        throw new IllegalStateException("log-policy has a non-finite weight " + v);
      }
      max = Math.max(max, v);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      throw new IllegalStateException("log-policy has no finite weight");
    }
    double sum = 0.0;
    for (double v : w) {
      sum += Math.exp(v - max);
    }
    double logZ = max + Math.log(sum);
    for (int i = 0; i < w.length; i++) {
      z[i] = w[i] - logZ;
      pi[i] = Math.exp(z[i]);
    }
  }

  /** {@code log pi} of a validated start policy, normalized. */
  static double[] logOf(double[] pi) {
    double[] z = new double[pi.length];
    for (int i = 0; i < pi.length; i++) {
      z[i] = Math.log(pi[i]);
    }
    normalize(z, z, new double[pi.length]);
    return z;
  }

  /**
   * Validates a start policy (or magnet): N entries, finite, non-negative, summing to 1 within
   * 1e-6, at least one positive.
   */
  static double[] checkPolicy(double[] pi, int n, String what) {
    if (pi == null || pi.length != n) {
      throw new IllegalArgumentException(
          what
              + " has "
              + (pi == null ? "no" : String.valueOf(pi.length))
              + " entries, the game has "
              + n
              + " strategies");
    }
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(pi[i]) || pi[i] < 0.0) {
        throw new IllegalArgumentException(
            what + "[" + i + "] = " + pi[i] + " must be a finite non-negative probability");
      }
      sum += pi[i];
    }
    if (Math.abs(sum - 1.0) > 1e-6) {
      throw new IllegalArgumentException(what + " sums to " + sum + ", must sum to 1");
    }
    return pi.clone();
  }

  /**
   * The local (Fisher) norm of a log-space direction at {@code pi}: {@code sqrt(sum_i pi_i (d_i -
   * dbar)^2)} with {@code dbar = sum_i pi_i d_i}, where {@code d = a - b}. Entries where {@code pi}
   * is zero carry no weight (and may be infinite in {@code a} and {@code b}).
   */
  static double localNorm(double[] a, double[] b, double[] pi) {
    double mean = 0.0;
    for (int i = 0; i < pi.length; i++) {
      if (pi[i] > 0.0) {
        mean += pi[i] * (a[i] - b[i]);
      }
    }
    double var = 0.0;
    for (int i = 0; i < pi.length; i++) {
      if (pi[i] > 0.0) {
        double d = a[i] - b[i] - mean;
        var += pi[i] * d * d;
      }
    }
    return Math.sqrt(var);
  }

  /**
   * The MMD step {@code z' = (z + eta alpha log rho + eta r) / (1 + eta alpha)}, normalized into
   * {@code zOut} and {@code piOut}. {@code zOut} may be {@code z}.
   */
  static void mmdStep(
      double[] z,
      double[] logRho,
      double[] r,
      double eta,
      double alpha,
      double[] zOut,
      double[] piOut) {
    double ea = eta * alpha;
    for (int i = 0; i < z.length; i++) {
      zOut[i] = (z[i] + times(ea, logRho[i]) + eta * r[i]) / (1.0 + ea);
    }
    normalize(zOut, zOut, piOut);
  }

  /** The largest entry of {@code v}. */
  static double max(double[] v) {
    double m = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  /** {@code exp(z)}, a new array: the probabilities of a log-policy. */
  static double[] exp(double[] z) {
    double[] out = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      out[i] = Math.exp(z[i]);
    }
    return out;
  }

  /**
   * MPO's magnet lift, in place: a strategy with a positive advantage ({@code r_i > 1/2 = pi^T P
   * pi}) whose log magnet probability lies more than {@code lift} nats below the largest is raised
   * to the largest minus {@code lift}, and the magnet is renormalized. A strategy with probability
   * zero stays at zero.
   *
   * @param scratch an array of the same length, overwritten
   * @return whether any strategy was raised
   */
  static boolean lift(double[] logRho, double[] r, double lift, double[] scratch) {
    double floor = max(logRho) - lift;
    boolean lifted = false;
    for (int i = 0; i < logRho.length; i++) {
      if (r[i] > 0.5 && logRho[i] < floor && logRho[i] != Double.NEGATIVE_INFINITY) {
        logRho[i] = floor;
        lifted = true;
      }
    }
    if (lifted) {
      normalize(logRho, logRho, scratch);
    }
    return lifted;
  }

  /** Throws if the oracle returned a non-finite win rate. */
  static void checkWinRates(double[] r) {
    for (int i = 0; i < r.length; i++) {
      if (!Double.isFinite(r[i])) {
        throw new IllegalStateException("oracle returned win rate r[" + i + "] = " + r[i]);
      }
    }
  }

  /**
   * {@code c * x} with {@code 0 * (-infinity) = 0}: a weight of zero on a log-probability of zero
   * contributes nothing (a magnet or reference with zeros, switched off).
   */
  static double times(double c, double x) {
    return c == 0.0 ? 0.0 : c * x;
  }
}
