/**
 * Exact tabular solvers for symmetric preference games: MPO and its peers, one class per algorithm,
 * each update written as its paper writes it.
 *
 * <p>The solvers never see a game: they work on a {@link
 * dev.lodestone.games.tabular.WinRateOracle}, the payoff function {@code r = P pi} (the win rate of
 * every pure strategy against a policy). The duality gap {@code 2 max_i r_i - 1} is computed from
 * the oracle alone, so {@link dev.lodestone.games.tabular.SolverRunner} measures convergence
 * without game code; a {@link dev.lodestone.games.PreferenceGame} is one.
 *
 * <p>All policies are held in log space, {@code z = log pi} normalized by a max-shifted
 * log-sum-exp, so no update produces NaN or a policy of all zeros, whatever the step size or the
 * number of steps.
 *
 * <table>
 *   <caption>The algorithms ({@code r_t = P pi_t})</caption>
 *   <tr><th>class</th><th>update</th><th>converges to</th></tr>
 *   <tr><td>{@link dev.lodestone.games.tabular.MultiplicativeWeights}</td>
 *       <td>{@code pi' ~ pi exp(eta r)}</td><td>Nash, average iterate only</td></tr>
 *   <tr><td>{@link dev.lodestone.games.tabular.MagneticMirrorDescent}</td>
 *       <td>{@code pi' ~ [pi rho^(eta alpha) exp(eta r)]^(1/(1+eta alpha))}, fixed rho</td>
 *       <td>the regularized equilibrium (biased), last iterate</td></tr>
 *   <tr><td>{@link dev.lodestone.games.tabular.Mpo}</td>
 *       <td>the MMD step, magnet reset {@code rho <- pi} every K steps ({@code mpo}, the paper's),
 *       or on our staged schedule ({@code mpo-staged})</td>
 *       <td>Nash, last iterate</td></tr>
 *   <tr><td>{@link dev.lodestone.games.tabular.PathMpo}</td>
 *       <td>the MMD step, magnet at the start while alpha shrinks, then reset {@code rho <- pi}
 *       ({@code mpo-path}, a solver of our own)</td><td>Nash, last iterate</td></tr>
 *   <tr><td>{@link dev.lodestone.games.tabular.OptimisticMirrorDescent}</td>
 *       <td>{@code pi_t ~ pi'_t exp(eta r_{t-1})}, {@code pi'_{t+1} ~ pi'_t exp(eta r_t)}</td>
 *       <td>Nash, last iterate (unique Nash)</td></tr>
 *   <tr><td>{@link dev.lodestone.games.tabular.NashMd}</td>
 *       <td>{@code pi' ~ pi^mu exp(eta P pi^mu)}, {@code pi^mu ~ pi^(1-eta beta) mu^(eta beta)}</td>
 *       <td>the regularized equilibrium (biased)</td></tr>
 *   <tr><td>{@link dev.lodestone.games.tabular.Sppo}</td>
 *       <td>the SPPO square loss minimized exactly over the simplex</td>
 *       <td>behaves like multiplicative weights</td></tr>
 * </table>
 */
package dev.lodestone.games.tabular;
