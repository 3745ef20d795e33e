package dev.lodestone.infra.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.games.Games;
import dev.lodestone.infra.cli.LabelModeConverter;
import dev.lodestone.infra.options.LearnerOptions;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.judge.LabelMode;
import dev.lodestone.learner.LearnerHyperparameters;
import dev.lodestone.policy.Engines;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lodestone bench learner}: the pipeline's mathematics in one process, without Kafka, to
 * choose and check the learner's defaults ({@link LearnerBench}). Prints the trajectory, the final
 * exploitability and the measured learner and sampling speed.
 */
@Command(
    name = "learner",
    mixinStandardHelpOptions = true,
    description = {
      "The learner's mathematics in-process (no Kafka): warm-up model, sampled groups, oracle"
          + " labels, learner steps, exact exploitability every few versions, steps per second."
    })
public final class BenchLearnerCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--task",
      defaultValue = TaskSetup.DEFAULT_TASK,
      description = "the game (default: ${DEFAULT-VALUE})")
  String task;

  @Option(
      names = "--steps",
      defaultValue = "600",
      description =
          "learner steps, the budget the learning rate cools down to (--cooldown) (default:"
              + " ${DEFAULT-VALUE})")
  int steps;

  @Mixin LearnerOptions learner;

  @Option(
      names = "--group-size",
      defaultValue = "2",
      description = "responses per group G (default: ${DEFAULT-VALUE}, like the sampler)")
  int groupSize;

  @Option(
      names = "--max-new-tokens",
      defaultValue = "16",
      description = "most tokens per response (default: ${DEFAULT-VALUE}, the sampler's)")
  int maxNewTokens;

  @Option(
      names = "--lag",
      defaultValue = "0",
      description =
          "sample from the version this many publications older than the newest (default: ${DEFAULT-VALUE})")
  int lag;

  @Option(
      names = "--eval-every",
      defaultValue = "5",
      description = "versions between evaluations (default: ${DEFAULT-VALUE})")
  int evalEvery;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "sampling and warm-up seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE})")
  String device;

  @Option(
      names = "--labels",
      paramLabel = "MODE",
      defaultValue = "exact",
      converter = LabelModeConverter.class,
      description =
          "exact: each pair labelled with the game's probability; sampled: with a 0/1 verdict"
              + " drawn from it (default: ${DEFAULT-VALUE})")
  LabelMode labels;

  @Option(names = "--json", description = "print one JSON object as the last line")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LearnerHyperparameters hp = learner.hyperparameters(spec, seed);
    LearnerBench.Settings settings;
    try {
      Games.parse(task);
      settings =
          new LearnerBench.Settings(
              task, hp, steps, groupSize, maxNewTokens, lag, evalEvery, seed, labels);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Device dev = Engines.device(device);
    LearnerBench.Result result =
        LearnerBench.run(
            settings,
            dev,
            p -> {
              if (!json) {
                out.printf(
                    "step %5d  version %4d  magnet %3d  exploitability %.4f  %s  invalid %.4f  loss %.4f  kl/prev %.5f%n",
                    p.step(),
                    p.version(),
                    p.magnetVersion(),
                    p.exploitability(),
                    LearnerBench.fmt(p.probabilities()),
                    p.invalid(),
                    p.loss(),
                    p.klPrevious());
                out.flush();
              }
            });
    err.printf(
        "bench learner: warm-up %s %s%n",
        task, result.warmupFromCache() ? "from the cache" : "trained");
    if (json) {
      out.println(new ObjectMapper().writeValueAsString(result.asMap()));
    } else {
      LearnerBench.Point last = result.last();
      out.printf(
          "%s %s eta %s alpha %s magnetEvery %d publishEvery %d batchGroups %d lr %s labels %s:"
              + " final exploitability %.4f %s (best %.4f; from step %d mean %.4f, max %.4f;"
              + " average iterate %.4f) after %d steps, %d versions%n",
          task,
          hp.algorithm().id(),
          hp.eta(),
          hp.alpha(),
          hp.magnetEvery(),
          hp.publishEvery(),
          hp.batchGroups(),
          hp.learningRate(),
          labels.id(),
          last.exploitability(),
          LearnerBench.fmt(last.probabilities()),
          result.best(),
          result.tail().get(0).step(),
          result.tailMean(),
          result.tailMax(),
          result.averageExploitability(),
          steps,
          result.versions());
      out.printf(
          "trust region (max log-ratio %s): %.2f%% of the rows dropped from the policy term%n",
          hp.maxLogRatio(), 100 * result.trustRegionDroppedFraction());
      out.printf(
          "speed (approximate, shared CPU): learner %.1f ms/step, sampling %.1f ms/step, %.2f"
              + " steps/s; evaluation %.1f s; wall %.1f s%n",
          result.learnerMsPerStep(),
          result.samplingMsPerStep(),
          result.stepsPerSecond(),
          result.evalSeconds(),
          result.wallSeconds());
    }
    out.flush();
    return 0;
  }
}
