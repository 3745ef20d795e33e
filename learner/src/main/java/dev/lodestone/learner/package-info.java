/**
 * The learner: tabular game solvers and the token-level MPO learner over Kafka.
 *
 * <ul>
 *   <li>{@link dev.lodestone.learner.MpoLoss}: the loss of docs/pipeline.md (token-level MPO,
 *       MPO-RT), on DJL arrays;
 *   <li>{@link dev.lodestone.learner.LearnerCore}: steps, publications and magnet resets without
 *       Kafka, with a bit-exact state;
 *   <li>{@link dev.lodestone.learner.Learner}: the service, a transactional consume-process-produce
 *       loop over {@code labeled}, configured by {@link dev.lodestone.learner.LearnerConfig};
 *   <li>{@code tabular}: the exact solvers the learner is checked against.
 * </ul>
 *
 * <p>Depends on {@code schemas} and {@code policy}; never on the sampler or the judge, and never on
 * game code: the tabular solvers work on a payoff function.
 */
package dev.lodestone.learner;
