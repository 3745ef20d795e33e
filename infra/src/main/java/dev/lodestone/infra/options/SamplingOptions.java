package dev.lodestone.infra.options;

import dev.lodestone.infra.run.SamplerSettings;
import dev.lodestone.sampler.SamplerConfig;
import picocli.CommandLine.Option;

/** The sampler settings of {@code lodestone sampler} and {@code lodestone run}. */
public final class SamplingOptions {

  @Option(
      names = "--group-size",
      paramLabel = "G",
      defaultValue = "" + SamplerConfig.DEFAULT_GROUP_SIZE,
      description = "Responses per sample group, at least 2 (default: ${DEFAULT-VALUE}).")
  public int groupSize;

  @Option(
      names = "--groups-per-batch",
      paramLabel = "N",
      defaultValue = "" + SamplerConfig.DEFAULT_GROUPS_PER_BATCH,
      description = "Groups drawn in one batched sampling call (default: ${DEFAULT-VALUE}).")
  public int groupsPerBatch;

  @Option(
      names = "--max-staleness",
      paramLabel = "VERSIONS",
      defaultValue = "" + SamplerConfig.DEFAULT_MAX_STALENESS,
      description =
          "Back-pressure: a sampler pauses while the groups not yet consumed by the learner reach"
              + " VERSIONS x the learner's groups per version (default: ${DEFAULT-VALUE}).")
  public int maxStaleness;

  @Option(
      names = "--max-new-tokens",
      paramLabel = "N",
      defaultValue = "" + SamplerConfig.DEFAULT_MAX_NEW_TOKENS,
      description =
          "Most tokens per response, end-of-sequence included (default: ${DEFAULT-VALUE}).")
  public int maxNewTokens;

  public SamplerSettings settings() {
    return new SamplerSettings(groupSize, groupsPerBatch, maxStaleness, maxNewTokens);
  }
}
