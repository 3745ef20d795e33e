/**
 * Evaluation of policies on preference games (docs/design.md, "The game" and "Games").
 *
 * <ul>
 *   <li>{@link dev.lodestone.judge.eval.PolicyEvaluation}: pure functions from a policy model (or
 *       any {@link dev.lodestone.judge.eval.PolicyEvaluation.SequenceScorer}) and a game to its
 *       exact {@link dev.lodestone.judge.eval.StrategyDistribution} (teacher forcing with EOS,
 *       leftover mass invalid) and {@link dev.lodestone.judge.eval.Evaluation}: exploitability and
 *       the win rate against a reference policy, invalid answers losing to valid ones and tying
 *       with each other. For reports and benchmarks as well as the service.
 *   <li>{@link dev.lodestone.judge.eval.Evaluator}: the service that follows the policy topic and
 *       publishes an evaluation per version to the metrics topic; {@link
 *       dev.lodestone.judge.eval.EvaluatorConfig} and {@link
 *       dev.lodestone.judge.eval.ReferencePolicy} configure it.
 * </ul>
 *
 * <pre>{@code
 * EvaluatorConfig config = EvaluatorConfig.builder(cluster, "model-1", Games.parse("perturbed-rps"))
 *     .build();
 * try (Evaluator evaluator = new Evaluator(config)) {
 *   evaluator.start(Duration.ofSeconds(30));
 *   ...
 * }
 * }</pre>
 */
package dev.lodestone.judge.eval;
