package dev.lodestone.infra.run;

import dev.lodestone.judge.LabelMode;
import dev.lodestone.judge.human.FeedbackConfig;
import dev.lodestone.judge.llm.LlmJudgeConfig;
import dev.lodestone.learner.LearnerConfig;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@link Pipeline} runs.
 *
 * @param cluster where the topics and the registry are
 * @param task the task
 * @param modelId the model the samplers, learner and evaluator share
 * @param runTag distinguishes this run's sampler ids and Streams instance ids from earlier runs on
 *     the same cluster (group ids must never repeat)
 * @param initialWeights the warm-up weights: the learner's version 0 (when it has no checkpoint)
 *     and the evaluator's reference policy
 * @param learner the learner's configuration
 * @param samplers how many samplers, at least 1
 * @param judges how many judge instances (game oracles: one Streams application; LLM judges: one
 *     consumer group), at least 1
 * @param labels what the game-oracle judges answer
 * @param llmJudge the LLM judge the instances run instead of the game oracle (each with its own
 *     instance id), or null for the game oracle
 * @param humanJudge the human judge's feedback service, which replaces the judge instances ({@code
 *     judges} must be 1), or null
 * @param sampling the samplers' settings
 * @param device {@code cpu} or {@code gpu} for samplers and evaluator
 * @param seed seeds the samplers (mixed with each sampler's id)
 * @param labelTimeout how long the label join keeps a label whose group it has not seen
 * @param evalInterval evaluate at most one version per this interval (0: every version)
 * @param stateDir the Kafka Streams state directories go under it
 */
public record PipelineConfig(
    ClusterConfig cluster,
    TaskSetup task,
    String modelId,
    String runTag,
    byte[] initialWeights,
    LearnerConfig learner,
    int samplers,
    int judges,
    LabelMode labels,
    LlmJudgeConfig llmJudge,
    FeedbackConfig humanJudge,
    SamplerSettings sampling,
    String device,
    long seed,
    Duration labelTimeout,
    Duration evalInterval,
    Path stateDir) {

  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9-]{1,32}");

  /** Validates the fields the components do not check themselves. */
  public PipelineConfig {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(initialWeights, "initialWeights");
    Objects.requireNonNull(learner, "learner");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(sampling, "sampling");
    Objects.requireNonNull(labelTimeout, "labelTimeout");
    Objects.requireNonNull(evalInterval, "evalInterval");
    Objects.requireNonNull(stateDir, "stateDir");
    if (runTag == null || !TAG.matcher(runTag).matches()) {
      throw new IllegalArgumentException("runTag must be 1-32 of [A-Za-z0-9-], got " + runTag);
    }
    if (samplers < 1) {
      throw new IllegalArgumentException("samplers must be at least 1, got " + samplers);
    }
    if (judges < 1) {
      throw new IllegalArgumentException("judges must be at least 1, got " + judges);
    }
    if (humanJudge != null && (judges != 1 || llmJudge != null)) {
      throw new IllegalArgumentException(
          "one feedback service serves the human judge's queue: judges must be 1 and no LLM judge");
    }
  }
}
