package dev.lodestone.infra.run;

import dev.lodestone.judge.GameOracle;
import dev.lodestone.judge.eval.Evaluator;
import dev.lodestone.judge.eval.EvaluatorConfig;
import dev.lodestone.judge.eval.ReferencePolicy;
import dev.lodestone.judge.human.FeedbackConfig;
import dev.lodestone.judge.human.FeedbackService;
import dev.lodestone.judge.llm.LlmJudgeService;
import dev.lodestone.judge.streams.JudgeConfig;
import dev.lodestone.judge.streams.JudgeService;
import dev.lodestone.judge.streams.LabelJoinConfig;
import dev.lodestone.judge.streams.LabelJoinService;
import dev.lodestone.judge.streams.StreamsAppConfig;
import dev.lodestone.learner.Learner;
import dev.lodestone.sampler.PromptSource;
import dev.lodestone.sampler.SamplerService;
import dev.lodestone.service.Service;
import dev.lodestone.service.ServiceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline of one task in this process (docs/design.md, "Modules and services"): the
 * evaluator (reference: the warm-up weights), the label join, J judge instances (the game oracle,
 * one Streams application, or an LLM judge, one consumer group), K samplers and the learner
 * (version 0: the warm-up weights). {@link #start(Duration)} starts them in that order, consumers
 * before producers, so that nothing waits on a component that is not there; {@link #close()} stops
 * the producers first (samplers), then the learner, then the rest.
 */
public final class Pipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  private final PipelineConfig config;
  private final Evaluator evaluator;
  private final LabelJoinService join;
  private final List<Service> judges = new ArrayList<>();
  private final List<SamplerService> samplers = new ArrayList<>();
  private final Learner learner;
  private final List<Service> started = Collections.synchronizedList(new ArrayList<>());

  /** Builds every component; nothing starts before {@link #start(Duration)}. */
  public Pipeline(PipelineConfig config) {
    this.config = config;
    TaskSetup task = config.task();
    String tag = config.runTag();
    this.evaluator =
        new Evaluator(
            EvaluatorConfig.builder(config.cluster(), config.modelId(), task.game())
                .instanceId("evaluator-" + tag)
                .reference(ReferencePolicy.weights(config.initialWeights()))
                .device(config.device())
                .minInterval(config.evalInterval())
                .build());
    this.join =
        new LabelJoinService(
            LabelJoinConfig.of(
                    StreamsAppConfig.defaults(
                        labelJoinApplicationId(config.modelId()),
                        "join-" + tag,
                        config.stateDir().resolve("join-" + tag)))
                .withTimeouts(
                    config.labelTimeout(),
                    config.humanJudge() == null
                        ? LabelJoinConfig.DEFAULT_INCOMPLETE_GROUP_TIMEOUT
                        : config.humanJudge().maxWait())
                .withQuorum(config.humanJudge() == null ? 1 : config.humanJudge().quorum()),
            config.cluster());
    for (int k = 0; k < config.judges(); k++) {
      String id = "judge-" + tag + "-" + k;
      if (config.humanJudge() != null) {
        judges.add(new FeedbackService(config.humanJudge()));
        continue;
      }
      if (config.llmJudge() != null) {
        judges.add(new LlmJudgeService(config.llmJudge().withInstanceId(id)));
        continue;
      }
      judges.add(
          new JudgeService(
              JudgeConfig.of(
                  StreamsAppConfig.defaults(
                      judgeApplicationId(config.modelId()), id, config.stateDir().resolve(id))),
              config.cluster(),
              GameOracle.forGame(task.spec(), task.game(), config.labels(), config.seed())));
    }
    for (int k = 0; k < config.samplers(); k++) {
      samplers.add(
          new SamplerService(
              config
                  .sampling()
                  .builder(
                      config.cluster(),
                      config.modelId(),
                      task,
                      PromptSource.fixed(task.game().prompt()),
                      "sampler-" + tag + "-" + k,
                      config.device(),
                      config.seed())
                  .build()));
    }
    this.learner = new Learner(config.learner(), config.initialWeights());
  }

  /** The Streams application id of the game-oracle judges of a model. */
  public static String judgeApplicationId(String modelId) {
    return "judge-" + modelId;
  }

  /** The consumer group of the feedback service of a model (--judge human). */
  public static String feedbackApplicationId(String modelId) {
    return FeedbackConfig.DEFAULT_APPLICATION_ID + "-" + modelId;
  }

  /** The consumer group of the LLM judges of a model. */
  public static String llmJudgeApplicationId(String modelId) {
    return "judge-llm-" + modelId;
  }

  /** The judge instances: game-oracle judges or LLM judges. */
  public List<Service> judges() {
    return Collections.unmodifiableList(judges);
  }

  /** The Streams application id of the label join of a model. */
  public static String labelJoinApplicationId(String modelId) {
    return "label-join-" + modelId;
  }

  /**
   * Starts every component, each within {@code timeout}.
   *
   * @throws dev.lodestone.service.ServiceException when one does not start; the ones started are
   *     left for {@link #close()}
   */
  public void start(Duration timeout) {
    List<Service> order = new ArrayList<>();
    order.add(evaluator);
    order.add(join);
    order.addAll(judges);
    order.addAll(samplers);
    order.add(learner);
    for (Service s : order) {
      started.add(s);
      s.start(timeout);
      LOG.debug("{} running", s.name());
    }
  }

  /** The learner. */
  public Learner learner() {
    return learner;
  }

  /** The evaluator. */
  public Evaluator evaluator() {
    return evaluator;
  }

  /** The samplers. */
  public List<SamplerService> samplers() {
    return Collections.unmodifiableList(samplers);
  }

  /** The first component that failed, described in one line, if any. */
  public Optional<String> failure() {
    synchronized (started) {
      for (Service s : started) {
        if (s.state() == ServiceState.FAILED) {
          return Optional.of(
              s.name()
                  + " failed: "
                  + s.failure().map(Throwable::toString).orElse("(no cause recorded)"));
        }
      }
    }
    return Optional.empty();
  }

  /** Stops the samplers (nothing new is sampled). */
  public void stopSamplers() {
    for (SamplerService s : samplers) {
      s.close();
    }
  }

  /** Stops the learner. */
  public void stopLearner() {
    learner.close();
  }

  /** Stops everything: samplers, learner, judges, label join, evaluator. Idempotent. */
  @Override
  public void close() {
    stopSamplers();
    stopLearner();
    for (Service j : judges) {
      j.close();
    }
    join.close();
    evaluator.close();
  }

  /** The configuration. */
  public PipelineConfig config() {
    return config;
  }
}
