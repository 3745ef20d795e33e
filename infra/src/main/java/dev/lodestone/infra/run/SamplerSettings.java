package dev.lodestone.infra.run;

import dev.lodestone.policy.SamplingParams;
import dev.lodestone.sampler.PromptSource;
import dev.lodestone.sampler.SamplerConfig;
import dev.lodestone.schemas.kafka.ClusterConfig;

/**
 * The sampler settings the command line exposes (the rest are {@link SamplerConfig}'s defaults).
 *
 * @param groupSize responses per group (G)
 * @param groupsPerBatch groups drawn in one batched sampling call
 * @param maxStaleness back-pressure bound, in policy versions
 * @param maxNewTokens most tokens per response, end-of-sequence included
 */
public record SamplerSettings(
    int groupSize, int groupsPerBatch, int maxStaleness, int maxNewTokens) {

  /** {@link SamplerConfig}'s defaults. */
  public static SamplerSettings defaults() {
    return new SamplerSettings(
        SamplerConfig.DEFAULT_GROUP_SIZE,
        SamplerConfig.DEFAULT_GROUPS_PER_BATCH,
        SamplerConfig.DEFAULT_MAX_STALENESS,
        SamplerConfig.DEFAULT_MAX_NEW_TOKENS);
  }

  /**
   * A sampler of the task with these settings, plain sampling (temperature 1, top-p 1).
   *
   * @param prompts the prompt source
   */
  public SamplerConfig.Builder builder(
      ClusterConfig cluster,
      String modelId,
      TaskSetup task,
      PromptSource prompts,
      String samplerId,
      String device,
      long seed) {
    return SamplerConfig.builder(cluster, modelId, task.spec(), prompts)
        .samplerId(samplerId)
        .groupSize(groupSize)
        .groupsPerBatch(groupsPerBatch)
        .maxStaleness(maxStaleness)
        .sampling(SamplingParams.of(maxNewTokens))
        .device(device)
        .seed(seed);
  }
}
