package dev.lodestone.infra.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.games.Games;
import dev.lodestone.games.PreferenceGame;
import dev.lodestone.infra.options.LearnerOptions;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.judge.GameOracle;
import dev.lodestone.judge.TextPreference;
import dev.lodestone.judge.eval.PolicyEvaluation;
import dev.lodestone.judge.eval.StrategyDistribution;
import dev.lodestone.learner.LearnerCore;
import dev.lodestone.learner.LearnerHyperparameters;
import dev.lodestone.learner.TrainingGroup;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.SampledResponse;
import dev.lodestone.policy.SamplingParams;
import dev.lodestone.policy.warmup.WarmupCache;
import dev.lodestone.policy.warmup.WarmupConfig;
import dev.lodestone.policy.warmup.WarmupCorpus;
import dev.lodestone.policy.warmup.WarmupListener;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lodestone bench learner}: the pipeline's mathematics in one process, without Kafka, to
 * choose and check the learner's defaults. From the task's warm-up model (the cached one {@code
 * lodestone run} uses), each step samples {@code --batch-groups} groups of G responses from the
 * behaviour policy, labels every pair with the task's game oracle, and takes one {@link
 * LearnerCore} step; every {@code --publish-every} steps an iterate is published (and the sampler
 * swaps to it, or to the version {@code --lag} publications older, to imitate the pipeline's
 * staleness). Every {@code --eval-every} versions the exact exploitability of the current iterate
 * is computed by teacher forcing ({@link PolicyEvaluation}). Prints the trajectory, the final
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

  @Option(names = "--json", description = "print one JSON object as the last line")
  boolean json;

  /** One evaluation of the current iterate. */
  record Point(
      long step, long version, double exploitability, double[] probabilities, double invalid) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (steps < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--steps must be >= 1, got " + steps);
    }
    if (groupSize < 2) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--group-size must be >= 2, got " + groupSize);
    }
    if (lag < 0 || evalEvery < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--lag must be >= 0 and --eval-every >= 1, got " + lag + " and " + evalEvery);
    }
    PreferenceGame game;
    LearnerHyperparameters hp;
    try {
      game = Games.parse(task);
      hp = learner.hyperparameters(spec, seed);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Device dev = Engines.device(device);
    TextPreference oracle = GameOracle.forTask(task).preference();

    // Warm-up, from the shared cache.
    double[] initial = game.initial().orElseGet(() -> uniform(game.size()));
    WarmupCorpus corpus = WarmupCorpus.of(game.prompt(), game.strategies(), initial);
    ModelConfig cfg = ModelConfig.defaults();
    byte[] warm;
    long w0 = System.nanoTime();
    try (WarmupCache.Entry entry =
        new WarmupCache(WarmupCache.defaultDirectory())
            .getOrTrain(task, corpus, cfg, WarmupConfig.defaults(seed), dev, WarmupListener.NONE)) {
      warm = entry.model().toBytes();
      err.printf(
          "bench learner: warm-up %s %s in %.1f s%n",
          task, entry.fromCache() ? "from the cache" : "trained", (System.nanoTime() - w0) / 1e9);
    }

    SamplingParams sampling = SamplingParams.of(maxNewTokens);
    SplittableRandom rng = new SplittableRandom(seed);
    List<Point> points = new ArrayList<>();
    long learnNanos = 0;
    long sampleNanos = 0;
    long evalNanos = 0;
    long skipped = 0;
    double droppedRows = 0; // sum over applied steps of the trust region's dropped fraction
    try (LearnerCore core = LearnerCore.initial(warm, hp, dev);
        PolicyModel behaviour = PolicyModel.fromBytes(warm, dev)) {
      int[] prompt = behaviour.tokenizer().encodePrompt(game.prompt());
      Deque<byte[]> published = new ArrayDeque<>();
      published.addLast(warm);
      long behaviourVersion = 0;
      long t0 = System.nanoTime();
      evalNanos += evaluate(core, game, points);
      for (int s = 0; s < steps; s++) {
        long a = System.nanoTime();
        List<int[]> prompts = new ArrayList<>(hp.batchGroups());
        for (int g = 0; g < hp.batchGroups(); g++) {
          prompts.add(prompt);
        }
        List<List<SampledResponse>> drawn = behaviour.sample(prompts, groupSize, sampling, rng);
        List<TrainingGroup> groups = new ArrayList<>(drawn.size());
        for (List<SampledResponse> rs : drawn) {
          double[][] p = new double[rs.size()][rs.size()];
          for (int i = 0; i < rs.size(); i++) {
            for (int j = i + 1; j < rs.size(); j++) {
              p[i][j] = oracle.prefer(rs.get(i).text(), rs.get(j).text());
            }
          }
          groups.add(
              new TrainingGroup(
                  prompt,
                  rs.stream().map(SampledResponse::tokenIds).toList(),
                  rs.stream().map(SampledResponse::logProbs).toList(),
                  TrainingGroup.allPairs(p),
                  behaviourVersion));
        }
        long b = System.nanoTime();
        // The budget is --steps, so the learning rate cools down over its last --cooldown.
        LearnerCore.StepReport r = core.step(groups, (double) s / steps);
        if (!r.applied()) {
          skipped++;
        } else {
          droppedRows += r.trustRegionFraction();
        }
        long c = System.nanoTime();
        sampleNanos += b - a;
        learnNanos += c - b;
        if (core.publishDue()) {
          LearnerCore.Publication pub = core.publish();
          published.addLast(core.weights());
          while (published.size() > lag + 1) {
            published.removeFirst();
          }
          long target = Math.max(0, pub.policyVersion() - lag);
          if (target != behaviourVersion) {
            behaviour.loadWeights(published.peekFirst());
            behaviourVersion = target;
          }
          if (pub.policyVersion() % evalEvery == 0) {
            evalNanos += evaluate(core, game, points);
            Point p = points.get(points.size() - 1);
            if (!json) {
              out.printf(
                  "step %5d  version %4d  magnet %3d  exploitability %.4f  %s  invalid %.4f  loss %.4f  kl/prev %.5f%n",
                  p.step(),
                  p.version(),
                  pub.magnetVersion(),
                  p.exploitability(),
                  fmt(p.probabilities()),
                  p.invalid(),
                  r.loss(),
                  r.klPrevious());
              out.flush();
            }
          }
        }
      }
      double total = (System.nanoTime() - t0) / 1e9;
      if (points.get(points.size() - 1).step() != core.step()) {
        evalNanos += evaluate(core, game, points);
      }
      Point last = points.get(points.size() - 1);
      double best = points.stream().mapToDouble(Point::exploitability).min().orElse(Double.NaN);
      // The iterates wander around the equilibrium by the sampling noise: the mean over the last
      // quarter of the evaluations says more than the last one alone.
      List<Point> tail =
          points.subList(points.size() - Math.max(1, points.size() / 4), points.size());
      double tailMean =
          tail.stream().mapToDouble(Point::exploitability).average().orElse(Double.NaN);
      double tailMax = tail.stream().mapToDouble(Point::exploitability).max().orElse(Double.NaN);
      double learnPerStep = learnNanos / 1e6 / steps;
      double samplePerStep = sampleNanos / 1e6 / steps;
      double stepsPerSecond = steps / ((learnNanos + sampleNanos) / 1e9);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("task", task);
      result.putAll(hp.asMap());
      result.put("groupSize", groupSize);
      result.put("lag", lag);
      result.put("steps", steps);
      result.put("versions", core.policyVersion());
      result.put("skippedSteps", skipped);
      double droppedFraction = droppedRows / Math.max(1, steps - skipped);
      result.put("trustRegionDroppedFraction", droppedFraction);
      result.put("finalExploitability", last.exploitability());
      result.put("finalProbabilities", last.probabilities());
      result.put("finalInvalidMass", last.invalid());
      result.put("bestExploitability", best);
      result.put("lastQuarterMeanExploitability", tailMean);
      result.put("lastQuarterMaxExploitability", tailMax);
      result.put("lastQuarterFromStep", tail.get(0).step());
      result.put("learnerMsPerStep", learnPerStep);
      result.put("samplingMsPerStep", samplePerStep);
      result.put("stepsPerSecond", stepsPerSecond);
      result.put("wallSeconds", total);
      result.put("evalSeconds", evalNanos / 1e9);
      List<Map<String, Object>> trace = new ArrayList<>();
      for (Point p : points) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", p.step());
        m.put("version", p.version());
        m.put("exploitability", p.exploitability());
        m.put("probabilities", p.probabilities());
        trace.add(m);
      }
      result.put("trace", trace);
      if (json) {
        out.println(new ObjectMapper().writeValueAsString(result));
      } else {
        out.printf(
            "%s %s eta %s alpha %s magnetEvery %d publishEvery %d batchGroups %d lr %s: final"
                + " exploitability %.4f %s (best %.4f; from step %d mean %.4f, max %.4f) after %d"
                + " steps, %d versions%n",
            task,
            hp.algorithm().id(),
            hp.eta(),
            hp.alpha(),
            hp.magnetEvery(),
            hp.publishEvery(),
            hp.batchGroups(),
            hp.learningRate(),
            last.exploitability(),
            fmt(last.probabilities()),
            best,
            tail.get(0).step(),
            tailMean,
            tailMax,
            steps,
            core.policyVersion());
        out.printf(
            "trust region (max log-ratio %s): %.2f%% of the rows dropped from the policy term%n",
            hp.maxLogRatio(), 100 * droppedFraction);
        out.printf(
            "speed (approximate, shared CPU): learner %.1f ms/step, sampling %.1f ms/step, %.2f"
                + " steps/s; evaluation %.1f s; wall %.1f s%n",
            learnPerStep, samplePerStep, stepsPerSecond, evalNanos / 1e9, total);
      }
      out.flush();
    }
    return 0;
  }

  private static long evaluate(LearnerCore core, PreferenceGame game, List<Point> points) {
    long t = System.nanoTime();
    StrategyDistribution d = PolicyEvaluation.distribution(core.policy(), game, game.prompt());
    points.add(
        new Point(
            core.step(),
            core.policyVersion(),
            PolicyEvaluation.exploitability(d, game),
            d.probabilities(),
            d.invalidMass()));
    return System.nanoTime() - t;
  }

  private static double[] uniform(int n) {
    double[] u = new double[n];
    java.util.Arrays.fill(u, 1.0 / n);
    return u;
  }

  private static String fmt(double[] p) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < p.length && i < 8; i++) {
      b.append(i == 0 ? "" : " ").append(String.format("%.3f", p[i]));
    }
    return b.append(p.length > 8 ? " ...]" : "]").toString();
  }
}
