package dev.lodestone.games;

import java.util.ArrayList;
import java.util.List;
import org.hipparchus.optim.MaxIter;
import org.hipparchus.optim.PointValuePair;
import org.hipparchus.optim.linear.LinearConstraint;
import org.hipparchus.optim.linear.LinearConstraintSet;
import org.hipparchus.optim.linear.LinearObjectiveFunction;
import org.hipparchus.optim.linear.NonNegativeConstraint;
import org.hipparchus.optim.linear.Relationship;
import org.hipparchus.optim.linear.SimplexSolver;
import org.hipparchus.optim.nonlinear.scalar.GoalType;

/**
 * Exact Nash equilibrium of a preference game by linear programming (Hipparchus' simplex solver).
 *
 * <p>The equilibrium is the row player's maximin strategy of the constant-sum game: maximize {@code
 * v} over {@code x} in the simplex and {@code v >= 0} subject to {@code (P^T x)_j >= v} for every
 * strategy j. For a preference game the optimal {@code v} is the game's value 1/2, and any optimal
 * {@code x} is a Nash equilibrium: it wins at least half the time against every strategy, so its
 * duality gap {@code 2 max_i (P x)_i - 1} is 0 (since {@code P x = 1 - P^T x}). The equilibrium may
 * be a set; the solver returns one vertex of it.
 */
public final class NashSolver {

  /** Largest duality gap accepted from the simplex solution before it is reported as a failure. */
  public static final double MAX_GAP = 1e-9;

  private NashSolver() {}

  /**
   * One exact Nash equilibrium of {@code game}: a probability vector whose duality gap is at most
   * {@value #MAX_GAP} (in practice within rounding of 0).
   *
   * @throws IllegalStateException if the simplex solver's answer fails that check
   */
  public static double[] solve(PreferenceGame game) {
    int n = game.size();
    // Variables: x_0 .. x_{n-1}, then v.
    double[] objective = new double[n + 1];
    objective[n] = 1.0;
    List<LinearConstraint> constraints = new ArrayList<>(n + 1);
    for (int j = 0; j < n; j++) {
      double[] row = new double[n + 1];
      for (int i = 0; i < n; i++) {
        row[i] = game.preference(i, j);
      }
      row[n] = -1.0;
      constraints.add(new LinearConstraint(row, Relationship.GEQ, 0.0));
    }
    double[] simplex = new double[n + 1];
    for (int i = 0; i < n; i++) {
      simplex[i] = 1.0;
    }
    constraints.add(new LinearConstraint(simplex, Relationship.EQ, 1.0));
    PointValuePair solution =
        new SimplexSolver()
            .optimize(
                new MaxIter(100 * (n + 10)),
                new LinearObjectiveFunction(objective, 0.0),
                new LinearConstraintSet(constraints),
                GoalType.MAXIMIZE,
                new NonNegativeConstraint(true));
    double[] point = solution.getPoint();
    double[] x = new double[n];
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
      x[i] = Math.max(0.0, point[i]);
      sum += x[i];
    }
    for (int i = 0; i < n; i++) {
      x[i] /= sum;
    }
    double gap = game.gap(x);
    if (!(gap <= MAX_GAP)) {
      throw new IllegalStateException(
          "linear program for game '" + game.name() + "' returned a point with gap " + gap);
    }
    return x;
  }
}
