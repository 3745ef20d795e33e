package dev.lodestone.games.tabular;

import java.util.ArrayList;
import java.util.List;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.SingularValueDecomposition;

/**
 * Magnetic Preference Optimization (Wang et al., arXiv 2410.16714) with the path-following magnet
 * schedule ({@link TabularConfig.MagnetSchedule.Path}), the solver {@code mpo-path}: a solver of
 * our own, whose iterates are not the paper's MPO's. Every iteration is one MMD step with the
 * paper's update and one oracle call:
 *
 * <pre>
 *   r_t = P pi_t
 *   pi' ~ [ pi_t * rho^(eta alpha) * exp(eta r_t) ]^(1 / (1 + eta alpha))      (MMD step)
 * </pre>
 *
 * <p>organized in <em>levels</em>, each of which solves one regularized game (the fixed point of
 * the MMD step for a fixed magnet {@code rho} and {@code alpha}: {@code log pi = log rho + P pi /
 * alpha}, normalized):
 *
 * <ol>
 *   <li><b>Path levels.</b> The magnet stays at the start and {@code alpha} shrinks by {@code
 *       shrink} per solved level, so the iterate follows the path of regularized (quantal-response)
 *       equilibria towards the Nash equilibrium. Along that path no strategy is driven further
 *       below the start than its payoff deficit over {@code alpha}, and the path is smooth in
 *       {@code alpha}: the history-free path avoids the transient in which the reset schedules of
 *       {@link Mpo} drive a strategy of small equilibrium mass hundreds of nats down (on
 *       random:10:2 the path's gap is about {@code 2 alpha}, and its strategy of Nash mass 3.2e-4
 *       stays above that mass all along; docs/notes/games-benchmark-history.md). A level that is
 *       not solved within {@code maxLevelSteps} is taken back to the last solved one with a shorter
 *       step along the path ({@code sqrt} of the last shrink factor); once that factor exceeds
 *       {@value #GIVE_UP}, or once a solved level's gap is at most {@code switchGap}, the path
 *       ends.
 *   <li><b>Proximal levels.</b> From then on the magnet is reset to the policy at the end of each
 *       level ({@code rho <- pi}, with the magnet lift of {@link Mpo}: a strategy that beats the
 *       policy and lies more than {@code magnetLift} nats below the most probable one is raised to
 *       that floor) and {@code alpha} stays: an inexact proximal-point iteration, whose fixed point
 *       is the Nash equilibrium, started next to it. A level not solved within {@code
 *       maxLevelSteps} also moves the magnet to where it ended: the inexact step still makes
 *       progress, whereas going back to the level's best point (often its start) stalled the
 *       iteration on some starts (docs/notes/games-benchmark-history.md).
 * </ol>
 *
 * <p>A level is solved when its residual, the MMD step {@code d = z' - z} ({@code z = log pi})
 * centered and measured as {@code sum_i pi_i |d_i - dbar|}, is at most {@value #SOLVED} times
 * {@code alpha} on the path (the path's gap is of the order of {@code alpha}) or {@value #SOLVED}
 * times the level's first residual in the proximal levels.
 *
 * <p><b>Within a level</b> the MMD iteration {@code z -> T(z)} is accelerated by type-II Anderson
 * acceleration (Anderson 1965; Walker and Ni 2011) in log space: with {@code f_k = T(z_k) - z_k},
 * {@code gamma = argmin || f_k - dF gamma ||} in the local (Fisher) norm at the policy, and the
 * next iterate {@code T(z_k) - dG gamma}. For a fixed magnet the map is smooth and its fixed point
 * unique, so the extrapolation acts on the map it is built for (applied to the magnet sequence of
 * {@link Mpo}'s reset schedules, whose transient is far from linear, it was fragile:
 * docs/notes/games-benchmark-history.md). Safeguards: the memory is the number of strategies above
 * {@value #MEMORY_THRESHOLD} of the largest probability, minus one (the dimension of the subspace
 * the residuals live in; a longer memory makes the least squares rank-deficient and extrapolates
 * noise, a shorter one leaves directions unresolved); singular values below {@value #RCOND} of the
 * largest are dropped; the extrapolation is scaled so that no log-probability moves more than
 * {@value #CLIP} nat beyond the plain step; and an iterate whose residual exceeds {@value #GROW}
 * times the level's best is sent back to the best, with the history cleared.
 *
 * <p>Strategies with probability zero at the start stay at zero. See {@link Algorithm#defaults()}
 * for the default and docs/notes/games-benchmark-history.md for the measurements that chose it.
 */
public final class PathMpo extends LogSpaceSolver {

  /**
   * A level is solved at a residual of this fraction of alpha (path) or of its first (proximal).
   */
  static final double SOLVED = 0.1;

  /** A residual below this is round-off: the level is solved. */
  static final double ROUND_OFF = 1e-13;

  /** The path ends when a level cannot be solved even with a shrink factor above this. */
  static final double GIVE_UP = 0.95;

  /** An iterate whose residual exceeds this many times the level's best goes back to the best. */
  static final double GROW = 10.0;

  /** Largest move of a log-probability by the extrapolation beyond the plain MMD step, in nats. */
  static final double CLIP = 1.0;

  /** Strategies above this fraction of the largest probability set the Anderson memory. */
  static final double MEMORY_THRESHOLD = 1e-2;

  /** Longest Anderson memory, whatever the number of strategies. */
  static final int MAX_MEMORY = 50;

  /** Singular values below this fraction of the largest are dropped from the least squares. */
  static final double RCOND = 1e-8;

  private final TabularConfig.MagnetSchedule.Path path;
  private final double eta;
  private final double magnetLift;
  private double[] logRho;
  private double alpha;
  private boolean proximal;
  private double shrinkNow;
  private long levels;
  // The current level.
  private int levelSteps;
  private double firstResidual;
  private double bestResidual;
  private double[][] best; // z, pi, r at the level's smallest residual
  private final List<double[]> xs = new ArrayList<>(); // Anderson history: iterates
  private final List<double[]> gs = new ArrayList<>(); // and their MMD steps
  // The last solved path level: z, pi, r and its alpha (the magnet is the start's all along).
  private double[][] solved;
  private double solvedAlpha;
  private final double[] scratch;

  /**
   * Creates the solver at {@code start}, with the magnet at {@code start}.
   *
   * @param config uses {@code eta}, {@code alpha} (the path's first value), {@code magnet} (a
   *     {@link TabularConfig.MagnetSchedule.Path}), {@code alphaRule} (must be {@link
   *     TabularConfig.AlphaRule.Constant}: the path sets alpha) and {@code magnetLift}
   */
  public PathMpo(WinRateOracle oracle, double[] start, TabularConfig config) {
    super(oracle, start);
    if (!(config.magnet() instanceof TabularConfig.MagnetSchedule.Path p)) {
      throw new IllegalArgumentException(
          "PathMpo runs the path magnet schedule, got " + config.magnet());
    }
    if (!(config.alphaRule() instanceof TabularConfig.AlphaRule.Constant)) {
      throw new IllegalArgumentException(
          "mpo's path schedule sets alpha itself (alpha is its first value): it takes no "
              + config.alphaRule()
              + " alpha rule");
    }
    if (config.alpha() <= 0.0) {
      throw new IllegalArgumentException("mpo needs alpha > 0, got " + config.alpha());
    }
    this.path = p;
    this.eta = config.eta();
    this.alpha = config.alpha();
    this.magnetLift = config.magnetLift();
    this.shrinkNow = p.shrink();
    this.logRho = z.clone();
    this.scratch = new double[n];
    winRates(pi);
    this.solved = new double[][] {z.clone(), pi.clone(), r.clone()};
    this.solvedAlpha = alpha;
    newLevel();
  }

  @Override
  public Algorithm algorithm() {
    return Algorithm.MPO_PATH;
  }

  @Override
  public void step() {
    double[] g = mmdStep();
    double res = residual(g);
    levelSteps++;
    if (levelSteps == 1) {
      firstResidual = res;
    }
    if (best == null || res < bestResidual) {
      bestResidual = res;
      best = new double[][] {z.clone(), pi.clone(), r.clone()};
    } else if (res > GROW * bestResidual) {
      restore(best);
      clearHistory();
      g = mmdStep();
      res = bestResidual;
    }
    boolean levelSolved = res <= SOLVED * (proximal ? firstResidual : alpha) || res < ROUND_OFF;
    if (levelSolved || levelSteps >= path.maxLevelSteps()) {
      endLevel(levelSolved);
      g = mmdStep();
    }
    extrapolate(g); // the next iterate, and its payoffs (the step's one oracle call)
    t++;
  }

  /** The MMD step from the policy with the current magnet and alpha, normalized. */
  private double[] mmdStep() {
    double[] g = new double[n];
    LogPolicy.mmdStep(z, logRho, r, eta, alpha, g, scratch);
    return g;
  }

  /** {@code sum_i pi_i |d_i - dbar|} of {@code d = g - z}, over the strategies in play. */
  private double residual(double[] g) {
    double mean = 0.0;
    for (int i = 0; i < n; i++) {
      if (pi[i] > 0.0) {
        mean += pi[i] * (g[i] - z[i]);
      }
    }
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
      if (pi[i] > 0.0) {
        sum += pi[i] * Math.abs(g[i] - z[i] - mean);
      }
    }
    return sum;
  }

  private void endLevel(boolean levelSolved) {
    double gap = WinRateOracle.gap(r);
    levels++;
    if (proximal) {
      // Solved or not, the magnet moves to where the level ended: an inexact proximal step still
      // makes progress, while going back to the level's best point (often its start) stalls.
      resetMagnet();
    } else if (levelSolved || shrinkNow > GIVE_UP) {
      if (!levelSolved) {
        restore(best);
      }
      solved = new double[][] {z.clone(), pi.clone(), r.clone()};
      solvedAlpha = alpha;
      if (gap <= path.switchGap() || !levelSolved) {
        proximal = true;
        resetMagnet();
      } else {
        shrinkNow = Math.max(path.shrink(), shrinkNow * shrinkNow);
        alpha *= shrinkNow;
      }
    } else {
      // Not solved: back to the last solved level, with a shorter step along the path.
      restore(solved);
      shrinkNow = Math.sqrt(shrinkNow);
      alpha = solvedAlpha * shrinkNow;
    }
    newLevel();
  }

  /** {@code rho <- pi}, then the magnet lift ({@link LogPolicy#lift}). */
  private void resetMagnet() {
    logRho = z.clone();
    if (magnetLift > 0.0) {
      LogPolicy.lift(logRho, r, magnetLift, scratch);
    }
  }

  private void extrapolate(double[] g) {
    xs.add(z.clone());
    gs.add(g);
    int memory = memory();
    while (xs.size() > memory + 1) {
      xs.remove(0);
      gs.remove(0);
    }
    double[] next = g.clone();
    int k = xs.size() - 1;
    if (k >= 1) {
      // Least squares in the local norm: rows sqrt(pi_i) (centered residual differences).
      double[][] f = new double[k + 1][];
      for (int j = 0; j <= k; j++) {
        f[j] = residualOf(j);
      }
      RealMatrix dF = MatrixUtils.createRealMatrix(n, k);
      for (int j = 0; j < k; j++) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
          d[i] = f[j + 1][i] - f[j][i];
        }
        dF.setColumn(j, centeredWeighted(d));
      }
      double[] gamma = leastSquares(dF, centeredWeighted(f[k]));
      boolean finite = true;
      for (int i = 0; i < n; i++) {
        if (g[i] == Double.NEGATIVE_INFINITY) {
          continue;
        }
        double move = 0.0;
        for (int j = 0; j < k; j++) {
          move += (gs.get(j + 1)[i] - gs.get(j)[i]) * gamma[j];
        }
        next[i] = g[i] - move;
        finite &= Double.isFinite(next[i]);
      }
      if (finite) {
        clip(next, g);
      } else {
        next = g.clone();
        clearHistory();
      }
    }
    LogPolicy.normalize(next, z, pi);
    winRates(pi);
  }

  /** Anderson memory: the strategies above {@value #MEMORY_THRESHOLD} of the largest, minus one. */
  private int memory() {
    double top = LogPolicy.max(pi);
    int count = 0;
    for (double p : pi) {
      if (p >= MEMORY_THRESHOLD * top) {
        count++;
      }
    }
    return Math.min(MAX_MEMORY, Math.max(1, count - 1));
  }

  /** {@code g_j - x_j} of the history's j-th entry, 0 where the strategy is out of play. */
  private double[] residualOf(int j) {
    double[] x = xs.get(j);
    double[] gj = gs.get(j);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = gj[i] == Double.NEGATIVE_INFINITY ? 0.0 : gj[i] - x[i];
    }
    return d;
  }

  /** {@code sqrt(pi_i) (v_i - sum_j pi_j v_j)}. */
  private double[] centeredWeighted(double[] v) {
    double mean = 0.0;
    for (int i = 0; i < n; i++) {
      mean += pi[i] * v[i];
    }
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = Math.sqrt(pi[i]) * (v[i] - mean);
    }
    return out;
  }

  /** Minimum-norm least squares, singular values below {@value #RCOND} of the largest dropped. */
  private static double[] leastSquares(RealMatrix a, double[] b) {
    SingularValueDecomposition svd = new SingularValueDecomposition(a);
    double[] s = svd.getSingularValues();
    RealMatrix u = svd.getU();
    RealMatrix v = svd.getV();
    double[] x = new double[a.getColumnDimension()];
    double cut = s.length == 0 ? 0.0 : RCOND * s[0];
    for (int c = 0; c < s.length; c++) {
      if (!(s[c] > cut)) {
        continue;
      }
      double ub = 0.0;
      for (int i = 0; i < b.length; i++) {
        ub += u.getEntry(i, c) * b[i];
      }
      double w = ub / s[c];
      for (int j = 0; j < x.length; j++) {
        x[j] += v.getEntry(j, c) * w;
      }
    }
    return x;
  }

  /** Scales the centered move {@code next - g} so that no entry exceeds {@value #CLIP}. */
  private void clip(double[] next, double[] g) {
    double mean = 0.0;
    for (int i = 0; i < n; i++) {
      if (g[i] != Double.NEGATIVE_INFINITY) {
        mean += pi[i] * (next[i] - g[i]);
      }
    }
    double big = 0.0;
    for (int i = 0; i < n; i++) {
      if (g[i] != Double.NEGATIVE_INFINITY) {
        big = Math.max(big, Math.abs(next[i] - g[i] - mean));
      }
    }
    double scale = big > CLIP ? CLIP / big : 1.0;
    for (int i = 0; i < n; i++) {
      if (g[i] != Double.NEGATIVE_INFINITY) {
        next[i] = g[i] + scale * (next[i] - g[i] - mean);
      }
    }
  }

  private void restore(double[][] state) {
    System.arraycopy(state[0], 0, z, 0, n);
    System.arraycopy(state[1], 0, pi, 0, n);
    System.arraycopy(state[2], 0, r, 0, n);
  }

  private void newLevel() {
    levelSteps = 0;
    best = null;
    clearHistory();
  }

  private void clearHistory() {
    xs.clear();
    gs.clear();
  }

  /** The magnet {@code rho} now (a copy). */
  public double[] magnet() {
    return LogPolicy.exp(logRho);
  }

  /** The current {@code alpha}. */
  public double alpha() {
    return alpha;
  }

  /** Whether the path has ended and the magnet now follows the policy (proximal levels). */
  public boolean proximal() {
    return proximal;
  }

  /** Number of levels ended so far. */
  public long levels() {
    return levels;
  }
}
