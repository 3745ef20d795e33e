package dev.lodestone.infra.bench;

import ai.djl.Device;
import dev.lodestone.games.Games;
import dev.lodestone.games.PreferenceGame;
import dev.lodestone.judge.GameOracle;
import dev.lodestone.judge.LabelMode;
import dev.lodestone.judge.TextPreference;
import dev.lodestone.judge.eval.PolicyEvaluation;
import dev.lodestone.judge.eval.StrategyDistribution;
import dev.lodestone.learner.LearnerCore;
import dev.lodestone.learner.LearnerHyperparameters;
import dev.lodestone.learner.TrainingGroup;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.SampledResponse;
import dev.lodestone.policy.SamplingParams;
import dev.lodestone.policy.warmup.WarmupCache;
import dev.lodestone.policy.warmup.WarmupConfig;
import dev.lodestone.policy.warmup.WarmupCorpus;
import dev.lodestone.policy.warmup.WarmupListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The pipeline's learning loop in one process, without Kafka ({@code lodestone bench learner} and
 * {@code lodestone bench algorithms}): from the task's warm-up model (the cached one {@code
 * lodestone run} uses), each step samples {@code batchGroups} groups of G responses from the
 * behaviour policy as the sampler draws them, labels every pair with the task's game oracle (the
 * exact probability, or a 0/1 verdict drawn from it), and takes one {@link LearnerCore} step; every
 * {@code publishEvery} steps an iterate is published and the sampler swaps to it (or to the version
 * {@code lag} publications older). Every {@code evalEvery} versions the exact exploitability of the
 * iterate is computed by teacher forcing. The budget is counted in steps, each one batch of
 * labelled groups, never in time.
 */
final class LearnerBench {

  /**
   * What to run.
   *
   * @param task the game
   * @param hp the learner's hyper-parameters (their seed is not used here)
   * @param steps learner steps, each {@code hp.batchGroups()} labelled groups
   * @param groupSize responses per group G
   * @param maxNewTokens most tokens per response
   * @param lag publications the sampler stays behind
   * @param evalEvery versions between evaluations
   * @param seed the warm-up's and the sampling's seed
   * @param labels exact probabilities or 0/1 verdicts drawn from them
   */
  record Settings(
      String task,
      LearnerHyperparameters hp,
      int steps,
      int groupSize,
      int maxNewTokens,
      int lag,
      int evalEvery,
      long seed,
      LabelMode labels) {
    Settings {
      Objects.requireNonNull(task, "task");
      Objects.requireNonNull(hp, "hp");
      Objects.requireNonNull(labels, "labels");
      if (steps < 1) {
        throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
      }
      if (groupSize < 2) {
        throw new IllegalArgumentException("--group-size must be >= 2, got " + groupSize);
      }
      if (lag < 0 || evalEvery < 1) {
        throw new IllegalArgumentException(
            "--lag must be >= 0 and --eval-every >= 1, got " + lag + " and " + evalEvery);
      }
    }
  }

  /** One evaluation of the current iterate. */
  record Point(
      long step,
      long version,
      long magnetVersion,
      double exploitability,
      double[] probabilities,
      double invalid,
      double loss,
      double klPrevious) {}

  /** Called after each evaluation (progress). */
  interface Listener {
    void evaluated(Point point);
  }

  /**
   * What a run gave.
   *
   * @param points every evaluation, the first at version 0
   * @param averageExploitability the exploitability of the average iterate: the mean of the
   *     evaluated iterates' strategy distributions after version 0 (their mixture)
   */
  record Result(
      Settings settings,
      List<Point> points,
      long versions,
      long skippedSteps,
      double trustRegionDroppedFraction,
      double averageExploitability,
      double learnerMsPerStep,
      double samplingMsPerStep,
      double wallSeconds,
      double evalSeconds,
      boolean warmupFromCache) {

    Point last() {
      return points.get(points.size() - 1);
    }

    double best() {
      return points.stream().mapToDouble(Point::exploitability).min().orElse(Double.NaN);
    }

    /** The evaluations of the last quarter: the iterates wander by the sampling noise. */
    List<Point> tail() {
      return points.subList(points.size() - Math.max(1, points.size() / 4), points.size());
    }

    double tailMean() {
      return tail().stream().mapToDouble(Point::exploitability).average().orElse(Double.NaN);
    }

    double tailMax() {
      return tail().stream().mapToDouble(Point::exploitability).max().orElse(Double.NaN);
    }

    double stepsPerSecond() {
      return settings.steps() / ((learnerMsPerStep + samplingMsPerStep) * settings.steps() / 1e3);
    }

    /** The result as JSON fields, the trace included. */
    Map<String, Object> asMap() {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("task", settings.task());
      result.putAll(settings.hp().asMap());
      result.put("seed", settings.seed());
      result.put("labels", settings.labels().id());
      result.put("groupSize", settings.groupSize());
      result.put("lag", settings.lag());
      result.put("steps", settings.steps());
      result.put("labelledGroups", (long) settings.steps() * settings.hp().batchGroups());
      result.put("versions", versions);
      result.put("skippedSteps", skippedSteps);
      result.put("trustRegionDroppedFraction", trustRegionDroppedFraction);
      result.put("finalExploitability", last().exploitability());
      result.put("finalProbabilities", last().probabilities());
      result.put("finalInvalidMass", last().invalid());
      result.put("averageIterateExploitability", averageExploitability);
      result.put("bestExploitability", best());
      result.put("lastQuarterMeanExploitability", tailMean());
      result.put("lastQuarterMaxExploitability", tailMax());
      result.put("lastQuarterFromStep", tail().get(0).step());
      result.put("learnerMsPerStep", learnerMsPerStep);
      result.put("samplingMsPerStep", samplingMsPerStep);
      result.put("stepsPerSecond", stepsPerSecond());
      result.put("wallSeconds", wallSeconds);
      result.put("evalSeconds", evalSeconds);
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
      return result;
    }
  }

  private LearnerBench() {}

  /** Runs the loop of {@code s} on {@code device}, calling {@code listener} after evaluations. */
  static Result run(Settings s, Device device, Listener listener) {
    PreferenceGame game = Games.parse(s.task());
    TextPreference oracle = GameOracle.forTask(s.task()).preference();
    LearnerHyperparameters hp = s.hp();

    // Warm-up, from the shared cache.
    double[] initial = game.initial().orElseGet(() -> uniform(game.size()));
    WarmupCorpus corpus = WarmupCorpus.of(game.prompt(), game.strategies(), initial);
    byte[] warm;
    boolean fromCache;
    try (WarmupCache.Entry entry =
        new WarmupCache(WarmupCache.defaultDirectory())
            .getOrTrain(
                s.task(),
                corpus,
                ModelConfig.defaults(),
                WarmupConfig.defaults(s.seed()),
                device,
                WarmupListener.NONE)) {
      warm = entry.model().toBytes();
      fromCache = entry.fromCache();
    }

    SamplingParams sampling = SamplingParams.of(s.maxNewTokens());
    SplittableRandom rng = new SplittableRandom(s.seed());
    // Verdicts are drawn from a stream of their own, so exact and sampled runs sample alike.
    SplittableRandom verdicts = new SplittableRandom(s.seed() ^ 0x5DEECE66DL);
    List<Point> points = new ArrayList<>();
    long learnNanos = 0;
    long sampleNanos = 0;
    long evalNanos = 0;
    long skipped = 0;
    double droppedRows = 0; // sum over applied steps of the trust region's dropped fraction
    try (LearnerCore core = LearnerCore.initial(warm, hp, device);
        PolicyModel behaviour = PolicyModel.fromBytes(warm, device)) {
      int[] prompt = behaviour.tokenizer().encodePrompt(game.prompt());
      Deque<byte[]> published = new ArrayDeque<>();
      published.addLast(warm);
      long behaviourVersion = 0;
      long t0 = System.nanoTime();
      evalNanos += evaluate(core, game, points, 0, Double.NaN, Double.NaN);
      for (int step = 0; step < s.steps(); step++) {
        long a = System.nanoTime();
        List<int[]> prompts = new ArrayList<>(hp.batchGroups());
        for (int g = 0; g < hp.batchGroups(); g++) {
          prompts.add(prompt);
        }
        List<List<SampledResponse>> drawn = behaviour.sample(prompts, s.groupSize(), sampling, rng);
        List<TrainingGroup> groups = new ArrayList<>(drawn.size());
        for (List<SampledResponse> rs : drawn) {
          double[][] p = new double[rs.size()][rs.size()];
          for (int i = 0; i < rs.size(); i++) {
            for (int j = i + 1; j < rs.size(); j++) {
              double exact = oracle.prefer(rs.get(i).text(), rs.get(j).text());
              p[i][j] =
                  s.labels() == LabelMode.EXACT
                      ? exact
                      : (verdicts.nextDouble() < exact ? 1.0 : 0.0);
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
        // The budget is the steps, so the learning rate cools down over its last --cooldown.
        LearnerCore.StepReport r = core.step(groups, (double) step / s.steps());
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
          while (published.size() > s.lag() + 1) {
            published.removeFirst();
          }
          long target = Math.max(0, pub.policyVersion() - s.lag());
          if (target != behaviourVersion) {
            behaviour.loadWeights(published.peekFirst());
            behaviourVersion = target;
          }
          if (pub.policyVersion() % s.evalEvery() == 0) {
            evalNanos +=
                evaluate(core, game, points, pub.magnetVersion(), r.loss(), r.klPrevious());
            listener.evaluated(points.get(points.size() - 1));
          }
        }
      }
      double total = (System.nanoTime() - t0) / 1e9;
      if (points.get(points.size() - 1).step() != core.step()) {
        evalNanos += evaluate(core, game, points, core.magnetVersion(), Double.NaN, Double.NaN);
      }
      double average = averageExploitability(game, points);
      return new Result(
          s,
          List.copyOf(points),
          core.policyVersion(),
          skipped,
          droppedRows / Math.max(1, s.steps() - skipped),
          average,
          learnNanos / 1e6 / s.steps(),
          sampleNanos / 1e6 / s.steps(),
          total,
          evalNanos / 1e9,
          fromCache);
    }
  }

  /**
   * The exploitability of the mixture of the evaluated iterates after version 0 (the first point);
   * NaN when there is none.
   */
  private static double averageExploitability(PreferenceGame game, List<Point> points) {
    if (points.size() < 2) {
      return Double.NaN;
    }
    double[] mixed = new double[game.size()];
    for (Point p : points.subList(1, points.size())) {
      for (int i = 0; i < mixed.length; i++) {
        mixed[i] += p.probabilities()[i];
      }
    }
    for (int i = 0; i < mixed.length; i++) {
      mixed[i] /= points.size() - 1;
    }
    return game.exploitability(mixed);
  }

  private static long evaluate(
      LearnerCore core,
      PreferenceGame game,
      List<Point> points,
      long magnetVersion,
      double loss,
      double klPrevious) {
    long t = System.nanoTime();
    StrategyDistribution d = PolicyEvaluation.distribution(core.policy(), game, game.prompt());
    points.add(
        new Point(
            core.step(),
            core.policyVersion(),
            magnetVersion,
            PolicyEvaluation.exploitability(d, game),
            d.probabilities(),
            d.invalidMass(),
            loss,
            klPrevious));
    return System.nanoTime() - t;
  }

  private static double[] uniform(int n) {
    double[] u = new double[n];
    Arrays.fill(u, 1.0 / n);
    return u;
  }

  /** The first eight probabilities, for a progress line. */
  static String fmt(double[] p) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < p.length && i < 8; i++) {
      b.append(i == 0 ? "" : " ").append(String.format("%.3f", p[i]));
    }
    return b.append(p.length > 8 ? " ...]" : "]").toString();
  }
}
