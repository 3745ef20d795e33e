/**
 * Judges, the label join and the evaluator; the owner of preference games.
 *
 * <p>Depends on {@code schemas} and {@code policy}; never on the sampler or the learner.
 */
package dev.lodestone.judge;
