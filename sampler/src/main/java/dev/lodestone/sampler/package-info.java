/**
 * The sampler service: draws self-play response groups from the latest policy version and publishes
 * them to the samples topic.
 *
 * <pre>{@code
 * SamplerConfig config =
 *     SamplerConfig.builder(cluster, "model-1", "perturbed-rps", PromptSource.fixed(game.prompt()))
 *         .groupSize(4)
 *         .build();
 * try (SamplerService sampler = new SamplerService(config)) {
 *   sampler.start(Duration.ofSeconds(30)); // RUNNING: connected, waiting for a policy version
 *   ...
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.lodestone.sampler.SamplerConfig}: the immutable, validated configuration and its
 *       defaults; {@link dev.lodestone.sampler.PromptSource}: fixed prompts or the prompts topic.
 *   <li>{@link dev.lodestone.sampler.SamplerService}: the service (lifecycle, loop, hot swap,
 *       back-pressure, metrics); {@link dev.lodestone.sampler.SamplerStats}: its counters.
 *   <li>{@link dev.lodestone.sampler.GroupIds}: the group id format {@code samplerId-sequence}.
 * </ul>
 *
 * <p>Depends on {@code schemas} and {@code policy}; never on the judge or the learner (the sampler
 * never imports game code: the caller passes the task's prompt).
 */
package dev.lodestone.sampler;
