/**
 * Preference games: the exact answers the whole pipeline is checked against (DESIGN.md sections 1
 * and 5).
 *
 * <p>A {@link dev.lodestone.judge.game.PreferenceGame} holds named strategies and a preference
 * matrix {@code P} ({@code P[i][j]} is the probability that strategy {@code i} is preferred over
 * strategy {@code j}); it judges responses, and measures a policy by its win rates, duality gap and
 * exploitability. {@link dev.lodestone.judge.game.Games} resolves a game specification ({@code
 * rps}, {@code perturbed-rps}, {@code condorcet}, {@code random:N:SEED}, {@code game:PATH}); {@link
 * dev.lodestone.judge.game.GameFile} reads and writes the JSON game file; {@link
 * dev.lodestone.judge.game.NashSolver} computes an exact Nash equilibrium by linear programming.
 *
 * <p>The learner never imports this package; it sees a game only as a payoff function.
 */
package dev.lodestone.judge.game;
