/**
 * The learner: tabular game solvers and the token-level MPO learner over Kafka.
 *
 * <p>Depends on {@code schemas} and {@code policy}; never on the sampler or the judge, and never on
 * game code: the tabular solvers work on a payoff function.
 */
package dev.lodestone.learner;
