/**
 * The sampler service: draws self-play response groups from the latest policy version and publishes
 * them to the samples topic.
 *
 * <p>Depends on {@code schemas} and {@code policy}; never on the judge or the learner.
 */
package dev.lodestone.sampler;
