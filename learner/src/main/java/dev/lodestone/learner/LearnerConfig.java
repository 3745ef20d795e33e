package dev.lodestone.learner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.LabeledGroup;
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
 * @param input the topic of labelled groups read: {@link Topics#LABELED}, or {@link Topics#REPLAY}
 *     for a replay of an imported or relabelled log
 * @param maxSteps stop (state STOPPED) after publishing at this step; 0: run until closed. It is
 *     also the step budget the learning rate cools down to ({@link
 *     LearnerHyperparameters#cooldown()}).
 * @param maxDuration a time limit; zero: none. Without {@code maxSteps}, the learner runs at a
 *     constant schedule until {@code 1 - cooldown} of the time has passed, and then fixes its step
 *     budget to {@code max(s + 1, ceil(s / (1 - cooldown)))} for the step {@code s} it is at: from
 *     there on the schedule and the stop depend on steps only, exactly as with {@code maxSteps} of
 *     that budget, which every checkpoint records, and the budget's last step ends the run. With
 *     {@code maxSteps}, an end offset or no cooldown, the limit instead stops the run at the first
 *     step past it. A learner with nothing to read stops at once, publishing what it has, past the
 *     limit (past twice the limit when the limit fixes the budget).
 * @param endOffset without a checkpoint: stop at this offset of the input (exclusive), publishing
 *     what the last whole batch gave; with no {@code maxSteps}, the whole batches of the range are
 *     the step budget. A learner restored from a checkpoint keeps the checkpoint's end. Empty: the
 *     learner follows the topic.
 * @param metricsInterval how often to publish a MetricEvent to {@code metrics}, positive
 * @param startOffset replay: without a checkpoint, start {@code labeled} at this offset (empty: the
 *     earliest, unless {@code startTime} is set)
 * @param startTime replay: without a checkpoint, start {@code labeled} at the first record at or
 *     after this time
 * @param groupId the consumer group whose offsets are committed with every publication
 * @param faults chaos testing: non-finite losses and gradients injected into the step attempts
 *     ({@link NumericalFaults}); {@link NumericalFaults#NONE} in normal runs
 */
public record LearnerConfig(
    ClusterConfig cluster,
    String modelId,
    LearnerHyperparameters hyperparameters,
    String device,
    TopicSpec<LabeledGroup> input,
    long maxSteps,
    Duration maxDuration,
    Duration metricsInterval,
    OptionalLong startOffset,
    Optional<Instant> startTime,
    OptionalLong endOffset,
    String groupId,
    NumericalFaults faults) {

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
    Objects.requireNonNull(input, "input");
    if (input != Topics.LABELED && input != Topics.REPLAY) {
      throw new IllegalArgumentException(
          "input must be "
              + Topics.LABELED.name()
              + " or "
              + Topics.REPLAY.name()
              + ", got "
              + input.name());
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
    Objects.requireNonNull(endOffset, "endOffset");
    if (endOffset.isPresent()
        && endOffset.getAsLong() < (startOffset.isPresent() ? startOffset.getAsLong() : 0)) {
      throw new IllegalArgumentException(
          "endOffset must be >= startOffset and >= 0, got " + endOffset.getAsLong());
    }
    if (groupId == null || !GROUP.matcher(groupId).matches()) {
      throw new IllegalArgumentException(
          "groupId must be 1-200 characters of [A-Za-z0-9._-], got " + quote(groupId));
    }
    Objects.requireNonNull(faults, "faults");
  }

  /**
   * A builder with the defaults: {@link LearnerHyperparameters#defaults()}, device {@code cpu},
   * input {@code labeled}, no step or time limit, no end offset, metrics every 5 s, replay from the
   * earliest offset, group id {@code lodestone-learner-<modelId>}.
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
    m.put("input", input.name());
    m.put("maxSteps", maxSteps);
    m.put("maxDurationMs", maxDuration.toMillis());
    m.put("metricsIntervalMs", metricsInterval.toMillis());
    m.put("startOffset", startOffset.isPresent() ? startOffset.getAsLong() : null);
    m.put("startTime", startTime.map(Instant::toString).orElse(null));
    m.put("endOffset", endOffset.isPresent() ? endOffset.getAsLong() : null);
    m.put("groupId", groupId);
    m.put("numericalFaultEvery", faults.every());
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
    private TopicSpec<LabeledGroup> input = Topics.LABELED;
    private long maxSteps;
    private Duration maxDuration = Duration.ZERO;
    private Duration metricsInterval = DEFAULT_METRICS_INTERVAL;
    private OptionalLong startOffset = OptionalLong.empty();
    private Optional<Instant> startTime = Optional.empty();
    private OptionalLong endOffset = OptionalLong.empty();
    private String groupId;
    private NumericalFaults faults = NumericalFaults.NONE;

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

    /** See {@link LearnerConfig#input()}. */
    public Builder input(TopicSpec<LabeledGroup> topic) {
      this.input = topic;
      return this;
    }

    /** See {@link LearnerConfig#endOffset()}. */
    public Builder endOffset(long offset) {
      this.endOffset = OptionalLong.of(offset);
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

    /** See {@link LearnerConfig#faults()}. */
    public Builder faults(NumericalFaults faults) {
      this.faults = faults;
      return this;
    }

    /** The validated configuration. */
    public LearnerConfig build() {
      return new LearnerConfig(
          cluster,
          modelId,
          hyperparameters,
          device,
          input,
          maxSteps,
          maxDuration,
          metricsInterval,
          startOffset,
          startTime,
          endOffset,
          groupId,
          faults);
    }
  }
}
