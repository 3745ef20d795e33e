/**
 * Preference games: the exact answers the whole pipeline is checked against (docs/design.md,
 * "Games").
 *
 * <p>A {@link dev.lodestone.games.PreferenceGame} holds named strategies and a preference matrix
 * {@code P} ({@code P[i][j]} is the probability that strategy {@code i} is preferred over strategy
 * {@code j}); it judges responses, and measures a policy by its win rates, duality gap and
 * exploitability. {@link dev.lodestone.games.Games} resolves a game specification ({@code rps},
 * {@code perturbed-rps}, {@code condorcet}, {@code random:N:SEED}, {@code game:PATH}); {@link
 * dev.lodestone.games.GameFile} reads and writes the JSON game file; {@link
 * dev.lodestone.games.NashSolver} computes an exact Nash equilibrium by linear programming.
 *
 * <p>The module also holds the exact tabular solvers ({@code dev.lodestone.games.tabular}), which a
 * game feeds as a {@link dev.lodestone.games.tabular.WinRateOracle}. The judge and the evaluator
 * use the games; the learner never imports this module: it sees a game only through its labels.
 */
package dev.lodestone.games;
