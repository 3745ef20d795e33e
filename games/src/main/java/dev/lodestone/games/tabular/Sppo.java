package dev.lodestone.games.tabular;

/**
 * SPPO's tabular target (Wu et al., "Self-Play Preference Optimization for Language Model
 * Alignment", arXiv 2405.00675): the policy that minimizes SPPO's square loss exactly, over the
 * whole simplex, with exact win rates.
 *
 * <p>SPPO's idealized iteration is multiplicative weights, {@code pi_{t+1}(y) = pi_t(y) exp(eta P(y
 * > pi_t)) / Z_t}. Its practical objective does not compute {@code log Z_t}: it replaces it with
 * {@code eta/2} (the game's value times {@code eta}) and regresses the log-ratio onto the resulting
 * target under the current policy's samples:
 *
 * <pre>
 *   a_t(y)      = eta (P(y > pi_t) - 1/2),                       P(y > pi_t) = (P pi_t)_y
 *   pi_{t+1}    = argmin_{pi in simplex} E_{y ~ pi_t} [ (log(pi(y) / pi_t(y)) - a_t(y))^2 ]
 * </pre>
 *
 * <p>The unnormalized target {@code pi_t exp(a_t)} has mass {@code E_{pi_t}[exp(a_t)] >= 1} (by
 * Jensen, since {@code E_{pi_t}[a_t] = 0}), so the minimizer is not simply the normalized target.
 * With a Lagrange multiplier {@code c >= 0} for {@code sum pi = 1}, stationarity gives, for every
 * y, {@code u = a - c e^u} with {@code u = log(pi_{t+1}(y) / pi_t(y))}, solved by the Lambert W
 * function:
 *
 * <pre>
 *   log pi_{t+1}(y) = log pi_t(y) + a_t(y) - W(c * exp(a_t(y))),    c such that sum pi_{t+1} = 1
 * </pre>
 *
 * <p>The correction {@code W(c e^a)} is larger for larger {@code a}: the exact fit damps the
 * strongest gains relative to multiplicative weights (to which it reduces as {@code eta -> 0}).
 * Like multiplicative weights, its last iterate does not converge in an intransitive game.
 */
public final class Sppo extends LogSpaceSolver {

  private final double eta;
  private final double[] a; // a_t, (N)
  private final double[] u; // candidate log pi_{t+1}, (N)
  private final double[] w; // W(c exp(a)), (N)
  private double logC = 0.0; // warm start of log c from the previous step

  /**
   * Creates the solver at {@code start}.
   *
   * @param config uses {@code eta}
   */
  public Sppo(WinRateOracle oracle, double[] start, TabularConfig config) {
    super(oracle, start);
    this.eta = config.eta();
    this.a = new double[n];
    this.u = new double[n];
    this.w = new double[n];
  }

  @Override
  public Algorithm algorithm() {
    return Algorithm.SPPO;
  }

  @Override
  public void step() {
    winRates(pi);
    for (int i = 0; i < n; i++) {
      a[i] = eta * (r[i] - 0.5);
    }
    // Mass of the unnormalized target pi_t exp(a_t), in log space: >= 0 up to rounding.
    double targetLogMass = logMass(Double.NEGATIVE_INFINITY);
    if (targetLogMass <= 1e-15) {
      // The target is already normalized (pi_t is an equilibrium on its support): c = 0.
      for (int i = 0; i < n; i++) {
        u[i] = z[i] + a[i];
      }
    } else {
      solveMultiplier();
      for (int i = 0; i < n; i++) {
        u[i] = z[i] + a[i] - w[i];
      }
    }
    LogPolicy.normalize(u, z, pi); // removes the remaining rounding error of sum pi = 1
    t++;
  }

  /**
   * {@code F(log c) = log sum_y pi_t(y) exp(a(y) - W(c e^{a(y)}))}, decreasing in {@code log c};
   * fills {@code w}. {@code -infinity} stands for {@code c = 0}.
   */
  private double logMass(double logCValue) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      w[i] = logCValue == Double.NEGATIVE_INFINITY ? 0.0 : lambertWOfExp(logCValue + a[i]);
      u[i] = z[i] + a[i] - w[i];
      max = Math.max(max, u[i]);
    }
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
      sum += Math.exp(u[i] - max);
    }
    return max + Math.log(sum);
  }

  /** Finds {@code log c} with {@code F(log c) = 0} by safeguarded Newton; leaves W in {@code w}. */
  private void solveMultiplier() {
    // Bracket: F(lo) > 0 > F(hi).
    double lo = logC - 1.0;
    while (logMass(lo) <= 0.0) {
      lo -= 2.0 * (logC - lo) + 1.0;
    }
    double hi = logC + 1.0;
    while (logMass(hi) >= 0.0) {
      hi += 2.0 * (hi - logC) + 1.0;
    }
    double x = Math.min(Math.max(logC, lo), hi);
    for (int iter = 0; iter < 200; iter++) {
      double f = logMass(x);
      if (f == 0.0 || Math.abs(f) < 1e-15) {
        break;
      }
      if (f > 0) {
        lo = x;
      } else {
        hi = x;
      }
      // F'(log c) = - sum_y q(y) W_y / (1 + W_y), q the normalized candidate.
      double deriv = 0.0;
      for (int i = 0; i < n; i++) {
        double q = Math.exp(u[i] - f);
        deriv -= q * w[i] / (1.0 + w[i]);
      }
      double next = deriv < 0.0 ? x - f / deriv : Double.NaN;
      if (!(next > lo && next < hi)) {
        next = 0.5 * (lo + hi);
      }
      if (next == x || hi - lo < 1e-15 * Math.max(1.0, Math.abs(x))) {
        x = next;
        break;
      }
      x = next;
    }
    logC = x;
    logMass(x);
  }

  /**
   * The Lambert W function at {@code e^l}: the {@code w > 0} with {@code w + log w = l}, computed
   * in log space so that large {@code l} does not overflow.
   */
  static double lambertWOfExp(double l) {
    if (l < -40.0) {
      return Math.exp(l); // W(x) = x - x^2 + ..., with x < 5e-18
    }
    double w;
    if (l > 1.0) {
      w = l - Math.log(l);
    } else {
      double e = Math.exp(l);
      w = e / (1.0 + e);
    }
    // Newton on g(w) = w + log w - l (concave, increasing): converges monotonically.
    for (int i = 0; i < 100; i++) {
      double next = w - (w + Math.log(w) - l) * (w / (1.0 + w));
      if (Math.abs(next - w) <= 1e-16 * Math.max(1.0, w)) {
        return next;
      }
      w = next;
    }
    return w;
  }
}
