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
 * names the field and the bad value). Build one with {@link #builder}; the defaults are the
 * constants below, chosen with {@code lodestone bench learner} (docs/learner-benchmark.md has the
 * commands and every figure).
 *
 * <p>Why these defaults, in short: {@code lodestone bench learner} showed that the learner follows
 * the exact tabular MMD trajectory (the inner optimisation keeps up) and that large steps (eta
 * 5-10, or learning rate 2e-3) collapse onto one pure strategy, from which sampling never recovers
 * (a strategy that is never drawn gets no gradient). In the full pipeline ({@code lodestone run},
 * docs/pipeline-benchmark.md) eta 2 / alpha 0.2 / a reset every 10 versions / 4 steps of 1e-3 per
 * version collapsed on perturbed-rps; 8 steps of 5e-4 per version did not, but the iterate then
 * wandered around the equilibrium (exploitability 0.01-0.13) by the noise of each version's reward
 * estimate, which eta multiplies. Halving eta (1, with alpha 0.1 and a reset every 20 versions, the
 * exact tabular schedule that reaches 0.01 on perturbed-rps in under 100 versions while keeping
 * every strategy above 0.03) brought a five-minute run to 0.011, with the learning rate decaying
 * harmonically over 500 steps. The iterate still moves with the sampling noise: single evaluations
 * late in a run range from below 0.01 to about 0.09.
 *
 * @param cluster where the topics and the schema registry are
 * @param modelId the model whose versions this learner publishes (non-blank, no '/')
 * @param algorithm the update rule
 * @param eta the MMD step size (the proximity term weighs {@code 1/eta}), positive
 * @param alpha the magnet strength, {@code >= 0}
 * @param magnetEvery the magnet is reset every this many POLICY versions (counted in versions, not
 *     steps), at least 1
 * @param publishEvery Adam steps between two POLICY versions, at least 1
 * @param batchGroups labelled groups per Adam step, at least 1
 * @param learningRate Adam's step size at step 0, positive
 * @param lrDecaySteps harmonic learning-rate decay: the rate at step t is {@code learningRate * h /
 *     (h + t)} with h this many steps; 0: constant
 * @param importanceClip truncation {@code c} of the per-token importance weights and of the
 *     opponent weights, at least 1
 * @param opponentCorrection weight each comparison by the opponent's sequence ratio {@code pi_t /
 *     mu}, so that the advantages are measured against the current iterate rather than the
 *     sampler's older policy (see {@link MpoLoss}); off: the plain self-play advantage
 * @param maxGradNorm global gradient-norm clipping, {@code >= 0} (0: off)
 * @param device {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param seed recorded in every checkpoint and metric event (the update draws no random numbers)
 * @param maxSteps stop (state STOPPED) after publishing at this step; 0: run until closed
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
    LearnerAlgorithm algorithm,
    double eta,
    double alpha,
    int magnetEvery,
    int publishEvery,
    int batchGroups,
    double learningRate,
    int lrDecaySteps,
    double importanceClip,
    boolean opponentCorrection,
    double maxGradNorm,
    String device,
    long seed,
    long maxSteps,
    Duration metricsInterval,
    OptionalLong startOffset,
    Optional<Instant> startTime,
    String groupId) {

  /** Default algorithm. */
  public static final LearnerAlgorithm DEFAULT_ALGORITHM = LearnerAlgorithm.MPO;

  /** Default MMD step size. */
  public static final double DEFAULT_ETA = 1.0;

  /** Default magnet strength. */
  public static final double DEFAULT_ALPHA = 0.1;

  /** Default magnet period, in POLICY versions. */
  public static final int DEFAULT_MAGNET_EVERY = 20;

  /** Default Adam steps per published version. */
  public static final int DEFAULT_PUBLISH_EVERY = 8;

  /** Default labelled groups per step. */
  public static final int DEFAULT_BATCH_GROUPS = 16;

  /** Default Adam learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 5e-4;

  /** Default learning-rate decay horizon, in steps. */
  public static final int DEFAULT_LR_DECAY_STEPS = 500;

  /** Default importance-weight truncation. */
  public static final double DEFAULT_IMPORTANCE_CLIP = 2.0;

  /** Default: the opponent correction is on. */
  public static final boolean DEFAULT_OPPONENT_CORRECTION = true;

  /** Default gradient-norm clip. */
  public static final double DEFAULT_MAX_GRAD_NORM = 1.0;

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
    // The mathematical fields are validated by the hyper-parameter record.
    new LearnerHyperparameters(
        algorithm,
        eta,
        alpha,
        magnetEvery,
        publishEvery,
        batchGroups,
        learningRate,
        lrDecaySteps,
        importanceClip,
        opponentCorrection,
        maxGradNorm,
        seed);
    if (device == null || !DEVICE.matcher(device).matches()) {
      throw new IllegalArgumentException("device must be cpu, gpu or gpu:N, got " + quote(device));
    }
    if (maxSteps < 0) {
      throw new IllegalArgumentException("maxSteps must be >= 0 (0: no limit), got " + maxSteps);
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
   * A builder with the defaults: algorithm {@code mpo}, eta 1.0, alpha 0.1, magnet reset every 20
   * versions, a version every 8 steps, 16 groups per step, Adam learning rate 5e-4 decaying over
   * 500 steps, importance weights truncated at 2, the opponent correction on, gradient norm clipped
   * at 1, device {@code cpu}, seed 0, no step limit, metrics every 5 s, replay from the earliest
   * offset, group id {@code lodestone-learner-<modelId>}.
   */
  public static Builder builder(ClusterConfig cluster, String modelId) {
    return new Builder(cluster, modelId);
  }

  /** The mathematical part, for {@link LearnerCore}. */
  public LearnerHyperparameters hyperparameters() {
    return new LearnerHyperparameters(
        algorithm,
        eta,
        alpha,
        magnetEvery,
        publishEvery,
        batchGroups,
        learningRate,
        lrDecaySteps,
        importanceClip,
        opponentCorrection,
        maxGradNorm,
        seed);
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
    return Math.multiplyExact(batchGroups, publishEvery);
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
    m.put("algorithm", algorithm.id());
    m.put("eta", eta);
    m.put("alpha", alpha);
    m.put("magnetEvery", magnetEvery);
    m.put("publishEvery", publishEvery);
    m.put("batchGroups", batchGroups);
    m.put("learningRate", learningRate);
    m.put("lrDecaySteps", lrDecaySteps);
    m.put("importanceClip", importanceClip);
    m.put("opponentCorrection", opponentCorrection);
    m.put("maxGradNorm", maxGradNorm);
    m.put("device", device);
    m.put("seed", seed);
    m.put("maxSteps", maxSteps);
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
    private LearnerAlgorithm algorithm = DEFAULT_ALGORITHM;
    private double eta = DEFAULT_ETA;
    private double alpha = DEFAULT_ALPHA;
    private int magnetEvery = DEFAULT_MAGNET_EVERY;
    private int publishEvery = DEFAULT_PUBLISH_EVERY;
    private int batchGroups = DEFAULT_BATCH_GROUPS;
    private double learningRate = DEFAULT_LEARNING_RATE;
    private int lrDecaySteps = DEFAULT_LR_DECAY_STEPS;
    private double importanceClip = DEFAULT_IMPORTANCE_CLIP;
    private boolean opponentCorrection = DEFAULT_OPPONENT_CORRECTION;
    private double maxGradNorm = DEFAULT_MAX_GRAD_NORM;
    private String device = "cpu";
    private long seed;
    private long maxSteps;
    private Duration metricsInterval = DEFAULT_METRICS_INTERVAL;
    private OptionalLong startOffset = OptionalLong.empty();
    private Optional<Instant> startTime = Optional.empty();
    private String groupId;

    private Builder(ClusterConfig cluster, String modelId) {
      this.cluster = cluster;
      this.modelId = modelId;
      this.groupId = "lodestone-learner-" + modelId;
    }

    /** See {@link LearnerConfig#algorithm()}. */
    public Builder algorithm(LearnerAlgorithm a) {
      this.algorithm = a;
      return this;
    }

    /** See {@link LearnerConfig#eta()}. */
    public Builder eta(double v) {
      this.eta = v;
      return this;
    }

    /** See {@link LearnerConfig#alpha()}. */
    public Builder alpha(double v) {
      this.alpha = v;
      return this;
    }

    /** See {@link LearnerConfig#magnetEvery()}. */
    public Builder magnetEvery(int versions) {
      this.magnetEvery = versions;
      return this;
    }

    /** See {@link LearnerConfig#publishEvery()}. */
    public Builder publishEvery(int steps) {
      this.publishEvery = steps;
      return this;
    }

    /** See {@link LearnerConfig#batchGroups()}. */
    public Builder batchGroups(int groups) {
      this.batchGroups = groups;
      return this;
    }

    /** See {@link LearnerConfig#learningRate()}. */
    public Builder learningRate(double lr) {
      this.learningRate = lr;
      return this;
    }

    /** See {@link LearnerConfig#lrDecaySteps()}. */
    public Builder lrDecaySteps(int h) {
      this.lrDecaySteps = h;
      return this;
    }

    /** See {@link LearnerConfig#importanceClip()}. */
    public Builder importanceClip(double c) {
      this.importanceClip = c;
      return this;
    }

    /** See {@link LearnerConfig#opponentCorrection()}. */
    public Builder opponentCorrection(boolean on) {
      this.opponentCorrection = on;
      return this;
    }

    /** See {@link LearnerConfig#maxGradNorm()}. */
    public Builder maxGradNorm(double norm) {
      this.maxGradNorm = norm;
      return this;
    }

    /** See {@link LearnerConfig#device()}. */
    public Builder device(String spec) {
      this.device = spec;
      return this;
    }

    /** See {@link LearnerConfig#seed()}. */
    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /** See {@link LearnerConfig#maxSteps()}; 0 means no limit. */
    public Builder maxSteps(long steps) {
      this.maxSteps = steps;
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
          algorithm,
          eta,
          alpha,
          magnetEvery,
          publishEvery,
          batchGroups,
          learningRate,
          lrDecaySteps,
          importanceClip,
          opponentCorrection,
          maxGradNorm,
          device,
          seed,
          maxSteps,
          metricsInterval,
          startOffset,
          startTime,
          groupId);
    }
  }
}
