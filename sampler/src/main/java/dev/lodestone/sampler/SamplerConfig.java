package dev.lodestone.sampler;

import dev.lodestone.policy.SamplingParams;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The configuration of a {@link SamplerService}, immutable and validated in the constructor (the
 * error names the field and the bad value). Build one with {@link #builder}; the defaults are
 * listed there.
 *
 * @param cluster where the topics and the schema registry are
 * @param samplerId this sampler's id: the prefix of its group ids and its metrics instance. Must be
 *     unique among running samplers and must not be reused after a restart (group ids would
 *     repeat): the default is {@code sampler-} and 8 random hex digits, new for every builder
 * @param modelId the model whose POLICY versions to follow
 * @param task the task name stamped on the groups (e.g. {@code perturbed-rps}); in topic mode only
 *     prompts of this task are answered
 * @param prompts the prompt source
 * @param groupSize responses per group (G), at least 2
 * @param sampling temperature, top-p and the most new tokens per response (EOS included)
 * @param groupsPerBatch groups drawn together in one batched sampling call, at least 1
 * @param maxStaleness back-pressure: a group is published only while {@code producedGroups -
 *     consumedGroups < maxStaleness * groupsPerVersion}; at least 1
 * @param device {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param seed seeds the sampling randomness together with the sampler id
 * @param maxGroups stop (state STOPPED) after publishing this many groups; empty: run until closed
 * @param metricsInterval how often to publish a MetricEvent to {@code metrics}, positive
 * @param offsetsRefresh how long the end offsets of {@code samples} may be reused before they are
 *     read again, at least 0 (0: before every batch). They tell a paused sampler whether the
 *     cluster answers, and they are the produced count when the model's version does not say where
 *     its samples begin (then a longer interval lets concurrent samplers overshoot the bound by
 *     what the others publish within it)
 */
public record SamplerConfig(
    ClusterConfig cluster,
    String samplerId,
    String modelId,
    String task,
    PromptSource prompts,
    int groupSize,
    SamplingParams sampling,
    int groupsPerBatch,
    int maxStaleness,
    String device,
    long seed,
    OptionalLong maxGroups,
    Duration metricsInterval,
    Duration offsetsRefresh) {

  /** Default responses per group. */
  public static final int DEFAULT_GROUP_SIZE = 2;

  /** Default most new tokens per response. */
  public static final int DEFAULT_MAX_NEW_TOKENS = 16;

  /** Default groups per sampling batch. */
  public static final int DEFAULT_GROUPS_PER_BATCH = 8;

  /** Default back-pressure staleness (docs/pipeline.md). */
  public static final int DEFAULT_MAX_STALENESS = 2;

  /** Default interval between metric events. */
  public static final Duration DEFAULT_METRICS_INTERVAL = Duration.ofSeconds(5);

  /** Default reuse of the end offsets of {@code samples}. */
  public static final Duration DEFAULT_OFFSETS_REFRESH = Duration.ofMillis(100);

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final Pattern DEVICE = Pattern.compile("cpu|gpu|gpu:\\d+");

  /** Validates every field. */
  public SamplerConfig {
    Objects.requireNonNull(cluster, "cluster");
    if (samplerId == null || !ID.matcher(samplerId).matches()) {
      throw new IllegalArgumentException(
          "samplerId must be 1-128 characters of [A-Za-z0-9._-], got " + quote(samplerId));
    }
    if (modelId == null || modelId.isBlank() || modelId.contains("/")) {
      throw new IllegalArgumentException(
          "modelId must be non-blank and without '/', got " + quote(modelId));
    }
    if (task == null || task.isBlank()) {
      throw new IllegalArgumentException("task must be non-blank, got " + quote(task));
    }
    Objects.requireNonNull(prompts, "prompts");
    if (groupSize < 2) {
      throw new IllegalArgumentException("groupSize must be at least 2, got " + groupSize);
    }
    Objects.requireNonNull(sampling, "sampling");
    if (groupsPerBatch < 1) {
      throw new IllegalArgumentException(
          "groupsPerBatch must be at least 1, got " + groupsPerBatch);
    }
    if (maxStaleness < 1) {
      throw new IllegalArgumentException("maxStaleness must be at least 1, got " + maxStaleness);
    }
    if (device == null || !DEVICE.matcher(device).matches()) {
      throw new IllegalArgumentException("device must be cpu, gpu or gpu:N, got " + quote(device));
    }
    Objects.requireNonNull(maxGroups, "maxGroups");
    if (maxGroups.isPresent() && maxGroups.getAsLong() < 1) {
      throw new IllegalArgumentException(
          "maxGroups must be at least 1 when set, got " + maxGroups.getAsLong());
    }
    Objects.requireNonNull(metricsInterval, "metricsInterval");
    if (metricsInterval.isNegative() || metricsInterval.isZero()) {
      throw new IllegalArgumentException(
          "metricsInterval must be positive, got " + metricsInterval);
    }
    Objects.requireNonNull(offsetsRefresh, "offsetsRefresh");
    if (offsetsRefresh.isNegative()) {
      throw new IllegalArgumentException("offsetsRefresh must be >= 0, got " + offsetsRefresh);
    }
  }

  /** A new sampler id: {@code sampler-} and 8 random hex digits. */
  public static String randomSamplerId() {
    byte[] b = new byte[4];
    new SecureRandom().nextBytes(b);
    return "sampler-" + HexFormat.of().formatHex(b);
  }

  /**
   * A builder with the defaults: a random {@code samplerId}, {@code groupSize} 2, sampling at
   * temperature 1 and top-p 1 with at most 16 new tokens (key/value cache on), 8 groups per batch,
   * {@code maxStaleness} 2, device {@code cpu}, seed 0, no group limit, metrics every 5 s, end
   * offsets reused for at most 100 ms.
   */
  public static Builder builder(
      ClusterConfig cluster, String modelId, String task, PromptSource prompts) {
    return new Builder(cluster, modelId, task, prompts);
  }

  private static String quote(String s) {
    return s == null ? "null" : "'" + s + "'";
  }

  /** Builds a {@link SamplerConfig}; {@link #build()} validates. */
  public static final class Builder {
    private final ClusterConfig cluster;
    private final String modelId;
    private final String task;
    private final PromptSource prompts;
    private String samplerId = randomSamplerId();
    private int groupSize = DEFAULT_GROUP_SIZE;
    private SamplingParams sampling = SamplingParams.of(DEFAULT_MAX_NEW_TOKENS);
    private int groupsPerBatch = DEFAULT_GROUPS_PER_BATCH;
    private int maxStaleness = DEFAULT_MAX_STALENESS;
    private String device = "cpu";
    private long seed;
    private OptionalLong maxGroups = OptionalLong.empty();
    private Duration metricsInterval = DEFAULT_METRICS_INTERVAL;
    private Duration offsetsRefresh = DEFAULT_OFFSETS_REFRESH;

    private Builder(ClusterConfig cluster, String modelId, String task, PromptSource prompts) {
      this.cluster = cluster;
      this.modelId = modelId;
      this.task = task;
      this.prompts = prompts;
    }

    /** See {@link SamplerConfig#samplerId()}. */
    public Builder samplerId(String id) {
      this.samplerId = id;
      return this;
    }

    /** See {@link SamplerConfig#groupSize()}. */
    public Builder groupSize(int g) {
      this.groupSize = g;
      return this;
    }

    /** See {@link SamplerConfig#sampling()}. */
    public Builder sampling(SamplingParams params) {
      this.sampling = params;
      return this;
    }

    /** See {@link SamplerConfig#groupsPerBatch()}. */
    public Builder groupsPerBatch(int n) {
      this.groupsPerBatch = n;
      return this;
    }

    /** See {@link SamplerConfig#maxStaleness()}. */
    public Builder maxStaleness(int n) {
      this.maxStaleness = n;
      return this;
    }

    /** See {@link SamplerConfig#device()}. */
    public Builder device(String spec) {
      this.device = spec;
      return this;
    }

    /** See {@link SamplerConfig#seed()}. */
    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /** See {@link SamplerConfig#maxGroups()}. */
    public Builder maxGroups(long n) {
      this.maxGroups = OptionalLong.of(n);
      return this;
    }

    /** See {@link SamplerConfig#metricsInterval()}. */
    public Builder metricsInterval(Duration interval) {
      this.metricsInterval = interval;
      return this;
    }

    /** See {@link SamplerConfig#offsetsRefresh()}. */
    public Builder offsetsRefresh(Duration interval) {
      this.offsetsRefresh = interval;
      return this;
    }

    /** The validated configuration. */
    public SamplerConfig build() {
      return new SamplerConfig(
          cluster,
          samplerId,
          modelId,
          task,
          prompts,
          groupSize,
          sampling,
          groupsPerBatch,
          maxStaleness,
          device,
          seed,
          maxGroups,
          metricsInterval,
          offsetsRefresh);
    }
  }
}
