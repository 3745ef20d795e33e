package dev.lodestone.learner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The configuration of a {@link Learner}, immutable and validated in the constructor (the error
 * names the field and the bad value): where the cluster is, which model, the mathematics ({@link
 * LearnerHyperparameters}, with their defaults and why they were chosen) and how the service runs.
 * Build one with {@link #builder}.
 *
 * @param cluster where the topics and the schema registry are
 * @param modelId the model whose versions this learner publishes (non-blank, no '/')
 * @param hyperparameters the algorithm and its hyper-parameters; the seed is recorded in every
 *     checkpoint and metric event
 * @param device {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param maxSteps stop (state STOPPED) after publishing at this step; 0: run until closed
 * @param maxDuration stop (state STOPPED) after publishing at the first step taken this long after
 *     the learner started consuming (or at once, publishing what it has, if no labelled groups
 *     arrive any more); zero: no time limit. A budget, of steps or of time, lets the learning rate
 *     cool down at its end ({@link LearnerHyperparameters#cooldown()}); with both, the one nearer
 *     its end counts.
 * @param metricsInterval how often to publish a MetricEvent to {@code metrics}, positive
 * @param startOffset replay: without a checkpoint, start {@code labeled} at this offset (empty: the
 *     earliest, unless {@code startTime} is set)
 * @param startTime replay: without a checkpoint, start {@code labeled} at the first record at or
 *     after this time
 * @param groupId the consumer group whose offsets are committed with every publication
 */
public record LearnerConfig(
    ClusterConfig cluster,
    String modelId,
    LearnerHyperparameters hyperparameters,
    String device,
    long maxSteps,
    Duration maxDuration,
    Duration metricsInterval,
    OptionalLong startOffset,
    Optional<Instant> startTime,
    String groupId) {

  /** Default interval between metric events. */
  public static final Duration DEFAULT_METRICS_INTERVAL = Duration.ofSeconds(5);

  private static final Pattern DEVICE = Pattern.compile("cpu|gpu|gpu:\\d+");
  private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9._-]{1,200}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Validates every field. */
  public LearnerConfig {
    Objects.requireNonNull(cluster, "cluster");
    if (modelId == null || modelId.isBlank() || modelId.contains("/")) {
      throw new IllegalArgumentException(
          "modelId must be non-blank and without '/', got " + quote(modelId));
    }
    Objects.requireNonNull(hyperparameters, "hyperparameters");
    if (device == null || !DEVICE.matcher(device).matches()) {
      throw new IllegalArgumentException("device must be cpu, gpu or gpu:N, got " + quote(device));
    }
    if (maxSteps < 0) {
      throw new IllegalArgumentException("maxSteps must be >= 0 (0: no limit), got " + maxSteps);
    }
    Objects.requireNonNull(maxDuration, "maxDuration");
    if (maxDuration.isNegative()) {
      throw new IllegalArgumentException(
          "maxDuration must be >= 0 (0: no limit), got " + maxDuration);
    }
    Objects.requireNonNull(metricsInterval, "metricsInterval");
    if (metricsInterval.isNegative() || metricsInterval.isZero()) {
      throw new IllegalArgumentException(
          "metricsInterval must be positive, got " + metricsInterval);
    }
    Objects.requireNonNull(startOffset, "startOffset");
    Objects.requireNonNull(startTime, "startTime");
    if (startOffset.isPresent() && startOffset.getAsLong() < 0) {
      throw new IllegalArgumentException(
          "startOffset must be >= 0, got " + startOffset.getAsLong());
    }
    if (startOffset.isPresent() && startTime.isPresent()) {
      throw new IllegalArgumentException(
          "startOffset and startTime are exclusive, got offset "
              + startOffset.getAsLong()
              + " and time "
              + startTime.get());
    }
    if (groupId == null || !GROUP.matcher(groupId).matches()) {
      throw new IllegalArgumentException(
          "groupId must be 1-200 characters of [A-Za-z0-9._-], got " + quote(groupId));
    }
  }

  /**
   * A builder with the defaults: {@link LearnerHyperparameters#defaults()}, device {@code cpu}, no
   * step or time limit, metrics every 5 s, replay from the earliest offset, group id {@code
   * lodestone-learner-<modelId>}.
   */
  public static Builder builder(ClusterConfig cluster, String modelId) {
    return new Builder(cluster, modelId);
  }

  /**
   * The producer's transactional id: one per model, so that a restarted learner fences a zombie
   * predecessor of the same model.
   */
  public String transactionalId() {
    return "lodestone-learner-" + modelId;
  }

  /** Labelled groups consumed between two POLICY versions: {@code batchGroups * publishEvery}. */
  public int groupsPerVersion() {
    return hyperparameters.groupsPerVersion();
  }

  /**
   * This configuration as compact JSON, fields in declaration order (stable across runs; the
   * cluster as its bootstrap servers and registry URL, client properties left out as they may hold
   * secrets).
   */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bootstrapServers", cluster.bootstrapServers());
    m.put("registryUrl", cluster.registryUrl().toString());
    m.put("modelId", modelId);
    m.putAll(hyperparameters.asMap());
    m.put("device", device);
    m.put("maxSteps", maxSteps);
    m.put("maxDurationMs", maxDuration.toMillis());
    m.put("metricsIntervalMs", metricsInterval.toMillis());
    m.put("startOffset", startOffset.isPresent() ? startOffset.getAsLong() : null);
    m.put("startTime", startTime.map(Instant::toString).orElse(null));
    m.put("groupId", groupId);
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the learner configuration as JSON", e);
    }
  }

  private static String quote(String s) {
    return s == null ? "null" : "'" + s + "'";
  }

  /** Builds a {@link LearnerConfig}; every setter has a default (see {@link #builder}). */
  public static final class Builder {
    private final ClusterConfig cluster;
    private final String modelId;
    private LearnerHyperparameters hyperparameters = LearnerHyperparameters.defaults();
    private String device = "cpu";
    private long maxSteps;
    private Duration maxDuration = Duration.ZERO;
    private Duration metricsInterval = DEFAULT_METRICS_INTERVAL;
    private OptionalLong startOffset = OptionalLong.empty();
    private Optional<Instant> startTime = Optional.empty();
    private String groupId;

    private Builder(ClusterConfig cluster, String modelId) {
      this.cluster = cluster;
      this.modelId = modelId;
      this.groupId = "lodestone-learner-" + modelId;
    }

    /** See {@link LearnerConfig#hyperparameters()}. */
    public Builder hyperparameters(LearnerHyperparameters hp) {
      this.hyperparameters = Objects.requireNonNull(hp, "hyperparameters");
      return this;
    }

    /** See {@link LearnerConfig#device()}. */
    public Builder device(String spec) {
      this.device = spec;
      return this;
    }

    /** See {@link LearnerConfig#maxSteps()}; 0 means no limit. */
    public Builder maxSteps(long steps) {
      this.maxSteps = steps;
      return this;
    }

    /** See {@link LearnerConfig#maxDuration()}; zero means no limit. */
    public Builder maxDuration(Duration duration) {
      this.maxDuration = duration;
      return this;
    }

    /** See {@link LearnerConfig#metricsInterval()}. */
    public Builder metricsInterval(Duration interval) {
      this.metricsInterval = interval;
      return this;
    }

    /** See {@link LearnerConfig#startOffset()}. */
    public Builder startOffset(long offset) {
      this.startOffset = OptionalLong.of(offset);
      return this;
    }

    /** See {@link LearnerConfig#startTime()}. */
    public Builder startTime(Instant time) {
      this.startTime = Optional.of(Objects.requireNonNull(time, "startTime"));
      return this;
    }

    /** See {@link LearnerConfig#groupId()}. */
    public Builder groupId(String id) {
      this.groupId = id;
      return this;
    }

    /** The validated configuration. */
    public LearnerConfig build() {
      return new LearnerConfig(
          cluster,
          modelId,
          hyperparameters,
          device,
          maxSteps,
          maxDuration,
          metricsInterval,
          startOffset,
          startTime,
          groupId);
    }
  }
}
