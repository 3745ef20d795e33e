/**
 * The learner: the token-level MPO learner over Kafka.
 *
 * <ul>
 *   <li>{@code loss}: the preference-optimization losses of docs/pipeline.md, one class per
 *       algorithm, on DJL arrays;
 *   <li>{@link dev.lodestone.learner.LearnerCore}: steps, publications and magnet resets without
 *       Kafka, with a bit-exact state;
 *   <li>{@link dev.lodestone.learner.Learner}: the service, a transactional consume-process-produce
 *       loop over {@code labeled}, configured by {@link dev.lodestone.learner.LearnerConfig};
 * </ul>
 *
 * <p>Depends on {@code schemas} and {@code policy}; never on the sampler, the judge or the games:
 * it sees a game only through its labels.
 */
package dev.lodestone.learner;
