package dev.lodestone.service.feed;

import dev.lodestone.schemas.kafka.ClusterConfig;
import java.util.Objects;

/**
 * What a {@link PolicyFeed} follows and how it names itself.
 *
 * @param cluster where the policy topic and the schema registry are
 * @param modelId the model whose versions to follow; records of other models are ignored
 * @param component the component that follows (e.g. {@code sampler}, {@code evaluator}): the {@code
 *     component} of its dead letters
 * @param instanceId the follower's instance (e.g. the sampler id), for client ids and logs
 * @param keepFirstPolicy whether to keep the first complete POLICY version read (for the
 *     evaluator's reference policy); otherwise only the newest is kept
 */
public record PolicyFeedConfig(
    ClusterConfig cluster,
    String modelId,
    String component,
    String instanceId,
    boolean keepFirstPolicy) {

  /** Validates the fields; the error names the field and the bad value. */
  public PolicyFeedConfig {
    Objects.requireNonNull(cluster, "cluster");
    requireName("modelId", modelId);
    requireName("component", component);
    requireName("instanceId", instanceId);
  }

  /** A feed that keeps only the newest POLICY version. */
  public static PolicyFeedConfig of(
      ClusterConfig cluster, String modelId, String component, String instanceId) {
    return new PolicyFeedConfig(cluster, modelId, component, instanceId, false);
  }

  /** The same configuration, keeping the first complete POLICY version too. */
  public PolicyFeedConfig keepingFirstPolicy() {
    return new PolicyFeedConfig(cluster, modelId, component, instanceId, true);
  }

  private static void requireName(String field, String value) {
    if (value == null || value.isBlank() || value.contains("/")) {
      throw new IllegalArgumentException(
          field
              + " must be non-blank and without '/', got "
              + (value == null ? "null" : "'" + value + "'"));
    }
  }
}
