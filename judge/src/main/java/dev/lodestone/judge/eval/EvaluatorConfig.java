package dev.lodestone.judge.eval;

import dev.lodestone.games.PreferenceGame;
import dev.lodestone.policy.Engines;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The configuration of an {@link Evaluator}, immutable and validated (the error names the field and
 * the bad value). Build one with {@link #builder}.
 *
 * @param cluster where the topics and the schema registry are
 * @param instanceId the evaluator's id in its metric events; default {@code evaluator-} and 8
 *     random hex digits
 * @param modelId the model whose POLICY versions to evaluate
 * @param game the task's game
 * @param prompt the prompt the strategies answer; default the game's prompt
 * @param reference the policy of the win rate; default the first version on the topic
 * @param device {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param minInterval evaluate at most once per this interval; versions that arrive in between are
 *     skipped for the newest (0, the default: every version the feed delivers, which skips to the
 *     newest only when several are waiting)
 */
public record EvaluatorConfig(
    ClusterConfig cluster,
    String instanceId,
    String modelId,
    PreferenceGame game,
    String prompt,
    ReferencePolicy reference,
    String device,
    Duration minInterval) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final Pattern DEVICE = Pattern.compile("cpu|gpu|gpu:\\d+");

  /** Validates every field. */
  public EvaluatorConfig {
    Objects.requireNonNull(cluster, "cluster");
    if (instanceId == null || !ID.matcher(instanceId).matches()) {
      throw new IllegalArgumentException(
          "instanceId must be 1-128 characters of [A-Za-z0-9._-], got " + quote(instanceId));
    }
    if (modelId == null || modelId.isBlank() || modelId.contains("/")) {
      throw new IllegalArgumentException(
          "modelId must be non-blank and without '/', got " + quote(modelId));
    }
    Objects.requireNonNull(game, "game");
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null");
    }
    Objects.requireNonNull(reference, "reference");
    if (device == null || !DEVICE.matcher(device).matches()) {
      throw new IllegalArgumentException("device must be cpu, gpu or gpu:N, got " + quote(device));
    }
    Objects.requireNonNull(minInterval, "minInterval");
    if (minInterval.isNegative()) {
      throw new IllegalArgumentException("minInterval must be >= 0, got " + minInterval);
    }
  }

  /**
   * A builder with the defaults: a random instance id, the game's prompt, the first version on the
   * topic as reference, device {@code cpu}, every version evaluated.
   */
  public static Builder builder(ClusterConfig cluster, String modelId, PreferenceGame game) {
    return new Builder(cluster, modelId, game);
  }

  private static String quote(String s) {
    return s == null ? "null" : "'" + s + "'";
  }

  /** Builds an {@link EvaluatorConfig}; {@link #build()} validates. */
  public static final class Builder {
    private final ClusterConfig cluster;
    private final String modelId;
    private final PreferenceGame game;
    private String instanceId;
    private String prompt;
    private ReferencePolicy reference = ReferencePolicy.firstVersion();
    private String device = Engines.DEFAULT_DEVICE;
    private Duration minInterval = Duration.ZERO;

    private Builder(ClusterConfig cluster, String modelId, PreferenceGame game) {
      this.cluster = cluster;
      this.modelId = modelId;
      this.game = game;
      byte[] b = new byte[4];
      new SecureRandom().nextBytes(b);
      this.instanceId = "evaluator-" + HexFormat.of().formatHex(b);
      this.prompt = game == null ? null : game.prompt();
    }

    /** See {@link EvaluatorConfig#instanceId()}. */
    public Builder instanceId(String id) {
      this.instanceId = id;
      return this;
    }

    /** See {@link EvaluatorConfig#prompt()}. */
    public Builder prompt(String text) {
      this.prompt = text;
      return this;
    }

    /** See {@link EvaluatorConfig#reference()}. */
    public Builder reference(ReferencePolicy policy) {
      this.reference = policy;
      return this;
    }

    /** See {@link EvaluatorConfig#device()}. */
    public Builder device(String spec) {
      this.device = spec;
      return this;
    }

    /** See {@link EvaluatorConfig#minInterval()}. */
    public Builder minInterval(Duration interval) {
      this.minInterval = interval;
      return this;
    }

    /** The validated configuration. */
    public EvaluatorConfig build() {
      return new EvaluatorConfig(
          cluster, instanceId, modelId, game, prompt, reference, device, minInterval);
    }
  }
}
