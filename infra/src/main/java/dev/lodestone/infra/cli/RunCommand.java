package dev.lodestone.infra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lodestone.infra.options.ClusterOptions;
import dev.lodestone.infra.options.DeviceOption;
import dev.lodestone.infra.options.FeedbackOptions;
import dev.lodestone.infra.options.LearnerOptions;
import dev.lodestone.infra.options.LlmJudgeOptions;
import dev.lodestone.infra.options.ModelOptions;
import dev.lodestone.infra.options.SamplingOptions;
import dev.lodestone.infra.options.TaskOptions;
import dev.lodestone.infra.run.EvalPoint;
import dev.lodestone.infra.run.MetricsTail;
import dev.lodestone.infra.run.ModelSize;
import dev.lodestone.infra.run.Pipeline;
import dev.lodestone.infra.run.PipelineConfig;
import dev.lodestone.infra.run.Progress;
import dev.lodestone.infra.run.ProgressBar;
import dev.lodestone.infra.run.RunReport;
import dev.lodestone.infra.run.RunSummary;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.judge.LabelMode;
import dev.lodestone.judge.human.AnnotatorTokens;
import dev.lodestone.judge.human.FeedbackConfig;
import dev.lodestone.judge.human.FeedbackService;
import dev.lodestone.judge.llm.LlmJudgeService;
import dev.lodestone.judge.streams.LabelJoinConfig;
import dev.lodestone.learner.LearnerConfig;
import dev.lodestone.learner.LearnerHyperparameters;
import dev.lodestone.learner.LearnerStats;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.warmup.WarmupListener;
import dev.lodestone.sampler.SamplerService;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.service.Service;
import dev.lodestone.service.ServiceException;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import dev.lodestone.stack.LocalStackException;
import dev.lodestone.stack.TopicProvisioningException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.commons.io.FileUtils;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone run}: the whole pipeline in this process (docs/design.md, "The command line").
 * It starts the local stack (unless {@code --bootstrap}), warms up the policy (cached), starts the
 * evaluator, the label join, the judges, the samplers and the learner ({@link Pipeline}), shows a
 * progress bar on stderr, and at the end, or on Ctrl-C, stops them and writes a report directory
 * ({@link RunReport}).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the whole pipeline on a task: local stack (unless --bootstrap), warm-up (cached),"
          + " evaluator, label join, judges, samplers and learner, with a progress bar on stderr"
          + " (step, policy version, exploitability, pairs/s, staleness). At the end, or on"
          + " Ctrl-C, it writes a report directory: exploitability.png, strategies.png,"
          + " evaluations.csv and summary.json.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the run ended (time or steps reached) and the report was written",
      "130/143:stopped by Ctrl-C / SIGTERM; the report was written",
      "1:a component failed (the report is still written) or the stack could not start",
      "2:invalid option"
    })
public final class RunCommand implements Callable<Integer> {

  /** Default run length when neither --minutes nor --steps is given. */
  static final double DEFAULT_MINUTES = 5;

  /** How long past --minutes the run waits for the learner to stop by itself. */
  private static final Duration LEARNER_GRACE = Duration.ofSeconds(30);

  @Spec CommandSpec spec;

  @Mixin TaskOptions taskOptions;

  @Mixin DeviceOption deviceOption;

  @Mixin LearnerOptions learner;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Length length;

  /** --minutes or --steps. */
  static final class Length {
    @Option(
        names = "--minutes",
        paramLabel = "M",
        description =
            "Run for about M minutes (after start-up); the default is 5. When a quarter of the"
                + " time is left (the cooldown, --cooldown), the learner fixes its step budget from"
                + " the steps taken so far and the run ends at that step, so that updates never"
                + " depend on the clock: --steps of the budget (summary.json's budgetSteps)"
                + " reproduces the run.")
    Double minutes;

    @Option(
        names = "--steps",
        paramLabel = "N",
        description = "Run until the learner has published at step N.")
    Long steps;
  }

  @Option(
      names = "--samplers",
      paramLabel = "K",
      defaultValue = "1",
      description = "Samplers (default: ${DEFAULT-VALUE}).")
  int samplers;

  @Option(
      names = "--judge",
      paramLabel = "oracle|llm|human",
      defaultValue = "oracle",
      description =
          "The judges: the task's game oracle, a language model behind an OpenAI-compatible"
              + " API (--base-url and the LLM judge options below), or people, through the"
              + " feedback service's page and API (--tokens, --feedback-port and the options"
              + " below; its address is printed) (default: ${DEFAULT-VALUE}).")
  String judge;

  @Option(
      names = "--judges",
      paramLabel = "J",
      defaultValue = "1",
      description =
          "Judge instances sharing the partitions of samples: one Streams application (oracle) or"
              + " one consumer group (llm) (default: ${DEFAULT-VALUE}).")
  int judges;

  @Mixin LlmJudgeOptions llm;

  @Mixin FeedbackOptions feedback;

  @Option(
      names = "--feedback-host",
      paramLabel = "ADDRESS",
      defaultValue = "127.0.0.1",
      description =
          "With --judge human: the address the page and the API listen on (default:"
              + " ${DEFAULT-VALUE}).")
  String feedbackHost;

  @Option(
      names = "--feedback-port",
      paramLabel = "P",
      defaultValue = "" + FeedbackConfig.DEFAULT_PORT,
      description =
          "With --judge human: the port of the page and the API; 0 picks a free one (default:"
              + " ${DEFAULT-VALUE}).")
  int feedbackPort;

  @Option(
      names = "--labels",
      paramLabel = "exact|sampled",
      defaultValue = "exact",
      converter = LabelModeConverter.class,
      description =
          "What the game-oracle judges answer: the game's exact probability, or a 0/1 verdict"
              + " drawn from it for every pair, as a person or a language model answers (seeded"
              + " by --seed) (default: ${DEFAULT-VALUE}).")
  LabelMode labels;

  @Mixin ClusterOptions cluster;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "0",
      description =
          "Seeds the warm-up, the samplers (each mixed with its id) and the verdicts of --labels"
              + " sampled; recorded by the learner, whose updates draw no random numbers (default:"
              + " ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description = "Report directory (default: reports/run-<UTC time>).")
  Path report;

  @Option(
      names = "--json",
      description =
          "End stdout with one JSON line: {\"task\", \"algorithm\", \"steps\", \"policyVersion\","
              + " \"magnetVersion\", \"exploitability\", \"strategies\": {...}, \"nash\": {...},"
              + " \"groupsPerSecond\", \"meanStalenessVersions\", \"sha256\"}; sha256 is the SHA-256 of"
              + " the last published version's weights.")
  boolean json;

  @Mixin ModelOptions model;

  @Mixin SamplingOptions sampling;

  @Option(
      names = "--eval-interval",
      paramLabel = "SECONDS",
      defaultValue = "0.5",
      description =
          "Evaluate at most one policy version per interval, the newest; 0 evaluates every"
              + " version (default: ${DEFAULT-VALUE}).")
  double evalIntervalSeconds;

  @Option(
      names = "--label-timeout",
      paramLabel = "SECONDS",
      defaultValue = "" + LabelJoinConfig.DEFAULT_UNKNOWN_GROUP_TIMEOUT_SECONDS,
      description =
          "How long the label join keeps a label whose group it has not seen before it goes to"
              + " dead-letters (default: ${DEFAULT-VALUE}).")
  long labelTimeoutSeconds;

  @Option(
      names = "--verbose",
      description =
          "Keep the components' INFO logs and Kafka's warnings on stderr (default: warnings of"
              + " the components, errors of Kafka).")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TaskSetup setup;
    ModelSize size = model.size(spec);
    Double minutes = length == null ? null : length.minutes;
    Long steps = length == null ? null : length.steps;
    if (minutes == null && steps == null) {
      minutes = DEFAULT_MINUTES;
    }
    try {
      setup = taskOptions.setup();
      if (minutes != null && !(minutes > 0)) {
        throw new IllegalArgumentException("--minutes must be positive, got " + minutes);
      }
      if (steps != null && steps < 1) {
        throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
      }
      if (samplers < 1) {
        throw new IllegalArgumentException("--samplers must be at least 1, got " + samplers);
      }
      if (judges < 1) {
        throw new IllegalArgumentException("--judges must be at least 1, got " + judges);
      }
      if (!(evalIntervalSeconds >= 0)) {
        throw new IllegalArgumentException(
            "--eval-interval must be >= 0, got " + evalIntervalSeconds);
      }
      if (labelTimeoutSeconds < 1) {
        throw new IllegalArgumentException(
            "--label-timeout must be at least 1, got " + labelTimeoutSeconds);
      }
      checkJudgeOptions();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    ClusterConfig given =
        cluster.given() || cluster.registry != null || cluster.commandConfig != null
            ? cluster.require(spec)
            : null;
    // Every learner option is checked here, before the warm-up and the stack start.
    LearnerHyperparameters hyperparameters = learner.hyperparameters(spec, seed);
    if (!verbose) {
      quietLogs();
    }
    String modelName = taskOptions.modelId(setup);
    String runTag = Ids.randomHex();
    Instant startedAt = Instant.now();
    Path reportDir =
        report != null
            ? report
            : Path.of(
                "reports",
                "run-"
                    + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                        .withZone(ZoneOffset.UTC)
                        .format(startedAt));

    err.println(
        "lodestone run: warming up the policy for "
            + setup.spec()
            + " ("
            + size.id()
            + " model) ...");
    err.flush();
    TaskSetup.Warmed warm =
        setup.warmup(
            size.config(),
            model.cacheDir(),
            seed,
            Engines.device(deviceOption.device),
            WarmupListener.NONE);
    err.println(
        "lodestone run: warm-up policy "
            + (warm.fromCache() ? "loaded from the cache" : "trained and cached")
            + " ("
            + warm.file()
            + ")");
    err.flush();

    RunReport.prepare();
    LocalStack stack = null;
    Path stateDir = Files.createTempDirectory("lodestone-run-");
    try (Signals signals = Signals.install("lodestone-run", Duration.ofMinutes(3))) {
      ClusterConfig clusterConfig = given;
      if (clusterConfig == null) {
        err.println("lodestone run: starting the local stack ...");
        err.flush();
        stack = new LocalStack(LocalStackConfig.ephemeral());
        try {
          stack.start(LocalStack.DEFAULT_START_TIMEOUT);
        } catch (LocalStackException | TopicProvisioningException e) {
          err.println("lodestone run: the local stack did not start: " + e.getMessage());
          err.flush();
          return 1;
        }
        clusterConfig = ClusterConfig.of(stack.bootstrapServers(), stack.registryUrl());
        err.println(
            "lodestone run: Kafka at "
                + stack.bootstrapServers()
                + ", schema registry at "
                + stack.registryUrl());
        err.flush();
      }
      LearnerConfig.Builder lb =
          LearnerConfig.builder(clusterConfig, modelName)
              .hyperparameters(hyperparameters)
              .device(deviceOption.device);
      if (steps != null) {
        lb.maxSteps(steps);
      } else {
        lb.maxDuration(Duration.ofNanos(Math.round(minutes * 60e9)));
      }
      LearnerConfig learnerConfig;
      PipelineConfig config;
      try {
        learnerConfig = lb.build();
        config =
            new PipelineConfig(
                clusterConfig,
                setup,
                modelName,
                runTag,
                warm.weights(),
                learnerConfig,
                samplers,
                judges,
                labels,
                judge.equals("llm")
                    ? llm.config(
                        clusterConfig,
                        setup.spec(),
                        Pipeline.llmJudgeApplicationId(modelName),
                        "judge-" + runTag,
                        System.getenv())
                    : null,
                judge.equals("human")
                    ? feedback
                        .config(clusterConfig, feedbackHost, feedbackPort)
                        .withIds(Pipeline.feedbackApplicationId(modelName), "feedback-" + runTag)
                    : null,
                sampling.settings(),
                deviceOption.device,
                seed,
                Duration.ofSeconds(labelTimeoutSeconds),
                Duration.ofMillis(Math.round(evalIntervalSeconds * 1000)),
                stateDir);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      try {
        return runPipeline(
            config, steps, minutes, startedAt, reportDir, size, warm, signals, out, err);
      } catch (RuntimeException e) {
        // Reported here, before the signal hook lets the JVM exit.
        err.println("lodestone run: failed: " + e);
        e.printStackTrace(err);
        err.flush();
        return 1;
      }
    } finally {
      if (stack != null) {
        stack.close();
      }
      FileUtils.deleteQuietly(stateDir.toFile());
    }
  }

  private int runPipeline(
      PipelineConfig config,
      Long steps,
      Double minutes,
      Instant startedAt,
      Path reportDir,
      ModelSize size,
      TaskSetup.Warmed warm,
      Signals signals,
      PrintWriter out,
      PrintWriter err)
      throws IOException, InterruptedException {
    String stoppedBy;
    Optional<String> failure = Optional.empty();
    long t0;
    List<EvalPoint> points;
    LearnerStats stats;
    long samplerGroups = 0;
    Map<String, Map<String, Double>> llmMetrics = new LinkedHashMap<>();
    FeedbackService human = null;
    try (MetricsTail tail =
            new MetricsTail(config.cluster(), config.modelId(), startedAt.minusSeconds(5));
        Pipeline pipeline = new Pipeline(config)) {
      err.println(
          "lodestone run: starting the evaluator, label join, judges, samplers and learner ...");
      err.flush();
      try {
        pipeline.start(Duration.ofSeconds(120));
      } catch (ServiceException e) {
        failure = Optional.of(e.getMessage());
      } catch (RuntimeException e) {
        // A component that cannot start at all (not a ServiceException): still stop and report.
        failure = Optional.of("a component did not start: " + e);
      }
      for (Service j : pipeline.judges()) {
        if (j instanceof FeedbackService f && failure.isEmpty()) {
          err.println(
              "lodestone run: the labelling page is at "
                  + f.url()
                  + " (API: "
                  + f.url()
                  + "openapi.json); annotators sign in with their tokens from "
                  + config.humanJudge().tokens());
          err.flush();
        }
      }
      t0 = System.nanoTime();
      // The learner ends a bounded run itself, after publishing its last step (its budget is what
      // its learning rate cools down to); this deadline only stops a run whose learner did not.
      long deadline =
          minutes == null
              ? Long.MAX_VALUE
              : t0 + config.learner().maxDuration().multipliedBy(2).plus(LEARNER_GRACE).toNanos();
      ProgressBar bar = new ProgressBar(err, System.console() != null, 10);
      int pairsPerGroup = config.sampling().groupSize() * (config.sampling().groupSize() - 1) / 2;
      stoppedBy = failure.isPresent() ? "failure" : null;
      while (stoppedBy == null) {
        bar.update(progress(pipeline, tail, steps, minutes, t0, pairsPerGroup));
        if (signals.sleep(500)) {
          stoppedBy = "interrupt";
        } else if (pipeline.failure().isPresent()) {
          failure = pipeline.failure();
          stoppedBy = "failure";
        } else if (pipeline.learner().state().isTerminal()) {
          stoppedBy = steps != null ? "steps" : "time";
        } else if (System.nanoTime() >= deadline) {
          stoppedBy = "time";
        }
      }
      bar.finish(progress(pipeline, tail, steps, minutes, t0, pairsPerGroup));
      err.println("lodestone run: stopping (" + stoppedBy + ") ...");
      err.flush();
      pipeline.stopSamplers();
      pipeline.stopLearner();
      stats = pipeline.learner().stats();
      if (failure.isEmpty() && stats.policyVersion() >= 0) {
        // The evaluator reads the last version from the topic; wait for its evaluation.
        tail.awaitVersion(stats.policyVersion(), Duration.ofSeconds(30));
      }
      for (SamplerService s : pipeline.samplers()) {
        samplerGroups += s.stats().groupsPublished();
      }
      for (Service j : pipeline.judges()) {
        if (j instanceof LlmJudgeService l) {
          llmMetrics.put(l.config().instanceId(), l.metrics().values());
        }
        if (j instanceof FeedbackService f) {
          human = f; // its count is read once the pipeline has stopped it
        }
      }
      points = tail.points();
    }
    long humanLabels = human == null ? 0 : human.labelsPublished();
    double elapsed = (System.nanoTime() - t0) / 1e9;

    Optional<EvalPoint> last =
        points.isEmpty() ? Optional.empty() : Optional.of(points.get(points.size() - 1));
    RunSummary summary =
        new RunSummary(
            config.task().spec(),
            config.learner().hyperparameters().algorithm().id(),
            stats.step(),
            stats.policyVersion(),
            stats.magnetVersion(),
            last.map(EvalPoint::exploitability).orElse(Double.NaN),
            last.map(p -> inGameOrder(p, config.task())).orElse(Map.of()),
            config.task().nash(),
            stats.groupsPerSecond(),
            stats.meanStalenessVersions(),
            stats.policySha256());
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode details = mapper.createObjectNode();
    details.put("modelId", config.modelId());
    details.put("model", size.id());
    details.put("seed", seed);
    details.put("judge", judge);
    if (config.humanJudge() != null) {
      details.put("humanLabels", humanLabels);
      details.put("quorum", config.humanJudge().quorum());
    } else if (config.llmJudge() == null) {
      details.put("labels", config.labels().id());
    } else {
      details.put("llmJudgeId", config.llmJudge().judgeId());
      details.put("llmBaseUrl", config.llmJudge().baseUrl().toString());
      details.set("llmJudges", mapper.valueToTree(llmMetrics));
    }
    details.put("stoppedBy", stoppedBy);
    failure.ifPresent(f -> details.put("failure", f));
    details.put("elapsedSeconds", elapsed);
    details.put("consumedGroups", stats.consumedGroups());
    details.put("budgetSteps", stats.budgetSteps());
    details.put("skippedSteps", stats.skippedSteps());
    details.set("lastLoss", RunSummary.jsonNumber(stats.lastLoss()));
    details.put("samplers", config.samplers());
    details.put("judges", config.judges());
    details.put("groupsPublished", samplerGroups);
    details.put("evaluations", points.size());
    last.ifPresent(
        p -> {
          details.put("evaluatedVersion", p.policyVersion());
          details.put("evaluatedStep", p.step());
          details.set("invalidMass", RunSummary.jsonNumber(p.invalidMass()));
          details.set("winRateVsInitial", RunSummary.jsonNumber(p.winRateVsInitial()));
        });
    details.put("warmupFromCache", warm.fromCache());
    details.put("bootstrap", config.cluster().bootstrapServers());
    details.set("learnerConfig", mapper.readTree(config.learner().toJson()));
    Map<String, Object> sampling = new LinkedHashMap<>();
    sampling.put("groupSize", config.sampling().groupSize());
    sampling.put("groupsPerBatch", config.sampling().groupsPerBatch());
    sampling.put("maxStaleness", config.sampling().maxStaleness());
    sampling.put("maxNewTokens", config.sampling().maxNewTokens());
    details.set("sampling", mapper.valueToTree(sampling));
    // The game itself, so that an analysis of the report needs nothing but the report.
    ObjectNode game = details.putObject("game");
    game.set("strategies", mapper.valueToTree(config.task().game().strategies()));
    game.set("preferences", mapper.valueToTree(config.task().game().preferences()));

    List<Path> files;
    try {
      files =
          RunReport.write(reportDir, summary, details, points, config.task().game().strategies());
    } catch (IOException | RuntimeException e) {
      // The summary still goes to stdout below.
      err.println("lodestone run: could not write the report in " + reportDir + ": " + e);
      files = List.of();
    }
    printHuman(err, summary, stats, reportDir, files);
    llmMetrics.forEach((instance, values) -> printLlmJudge(err, instance, values));
    if (json) {
      out.println(summary.toJsonLine());
      out.flush();
    }
    if (failure.isPresent()) {
      err.println("lodestone run: " + failure.get());
      err.flush();
      return 1;
    }
    return 0;
  }

  /** A point's strategy probabilities in the game's order of strategies. */
  private static Map<String, Double> inGameOrder(EvalPoint p, TaskSetup task) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String s : task.game().strategies()) {
      Double v = p.probabilities().get(s);
      if (v != null) {
        m.put(s, v);
      }
    }
    return m;
  }

  private static Progress progress(
      Pipeline pipeline, MetricsTail tail, Long steps, Double minutes, long t0, int pairsPerGroup) {
    LearnerStats s = pipeline.learner().stats();
    long elapsedNanos = System.nanoTime() - t0;
    double fraction =
        steps != null
            ? (double) s.step() / steps
            : s.budgetSteps() > 0
                ? (double) s.step() / s.budgetSteps()
                : elapsedNanos / (minutes * 60e9);
    double expl = tail.latest().map(EvalPoint::exploitability).orElse(Double.NaN);
    return new Progress(
        fraction,
        s.step(),
        s.policyVersion(),
        expl,
        s.groupsPerSecond() * pairsPerGroup,
        s.meanStalenessVersions(),
        elapsedNanos / 1_000_000_000L);
  }

  private static void printHuman(
      PrintWriter err, RunSummary s, LearnerStats stats, Path dir, List<Path> files) {
    err.println(
        String.format(
            Locale.ROOT,
            "lodestone run: %s with %s: %d steps, policy version %d, magnet version %d",
            s.task(),
            s.algorithm(),
            s.steps(),
            s.policyVersion(),
            s.magnetVersion()));
    err.println(
        String.format(
            Locale.ROOT,
            "  exploitability %s; strategies %s; Nash %s",
            Double.isNaN(s.exploitability())
                ? "-"
                : String.format(Locale.ROOT, "%.4f", s.exploitability()),
            format(s.strategies()),
            format(s.nash())));
    err.println(
        String.format(
            Locale.ROOT,
            "  learner: %d groups consumed, %.1f groups/s, mean staleness %.2f versions, %d steps"
                + " skipped",
            stats.consumedGroups(),
            s.groupsPerSecond(),
            s.meanStalenessVersions(),
            stats.skippedSteps()));
    StringBuilder names = new StringBuilder();
    for (Path f : files) {
      names.append(names.length() == 0 ? "" : ", ").append(f.getFileName());
    }
    err.println("  report: " + dir + " (" + names + ")");
    err.flush();
  }

  private static void printLlmJudge(PrintWriter err, String instance, Map<String, Double> v) {
    err.println(
        String.format(
            Locale.ROOT,
            "  LLM judge %s: %.0f groups judged, %.0f dead-lettered, %.0f calls (%.0f from"
                + " log-probabilities), latency p50/p90/p99 %.1f/%.1f/%.1f ms, position"
                + " disagreement %.3f",
            instance,
            v.getOrDefault("judge/groups_judged", 0.0),
            v.getOrDefault("judge/groups_dead_lettered", 0.0),
            v.getOrDefault("llm/calls", 0.0),
            v.getOrDefault("llm/verdicts_from_logprobs", 0.0),
            v.getOrDefault("llm/latency_ms/p50", Double.NaN),
            v.getOrDefault("llm/latency_ms/p90", Double.NaN),
            v.getOrDefault("llm/latency_ms/p99", Double.NaN),
            v.getOrDefault("llm/position_disagreement_rate", Double.NaN)));
    err.flush();
  }

  /** The judge options must fit --judge; checked before the warm-up and the stack start. */
  private void checkJudgeOptions() throws IOException {
    List<String> human = new ArrayList<>(feedback.given(spec));
    for (String o : List.of("--feedback-host", "--feedback-port")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
        human.add(o);
      }
    }
    if (!judge.equals("human") && !human.isEmpty()) {
      throw new IllegalArgumentException(human + " apply to --judge human only");
    }
    switch (judge) {
      case "oracle" -> {
        if (!llm.given().isEmpty()) {
          throw new IllegalArgumentException(
              llm.given() + " apply to --judge llm only; the judges are game oracles");
        }
      }
      case "human" -> {
        if (!llm.given().isEmpty()) {
          throw new IllegalArgumentException(
              llm.given() + " apply to --judge llm only; the judges are people");
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--labels")) {
          throw new IllegalArgumentException(
              "--labels applies to --judge oracle only; people answer with verdicts");
        }
        if (judges != 1) {
          throw new IllegalArgumentException(
              "--judges must be 1 with --judge human: one feedback service serves the queue");
        }
        // every value checked now, against a placeholder cluster: the real one starts later
        feedback.config(
            ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081"),
            feedbackHost,
            feedbackPort);
        if (!AnnotatorTokens.read(feedback.tokens).anyActive()) {
          throw new IllegalArgumentException(FeedbackCommand.noTokens(feedback.tokens));
        }
      }
      case "llm" -> {
        if (spec.commandLine().getParseResult().hasMatchedOption("--labels")) {
          throw new IllegalArgumentException(
              "--labels applies to --judge oracle only; an LLM judge answers as its server does"
                  + " (--no-logprobs for verdicts only)");
        }
        try {
          // every value checked now, against a placeholder cluster: the real one starts later
          llm.config(
              ClusterConfig.of("127.0.0.1:9092", "http://127.0.0.1:8081"),
              "task",
              "check",
              "check",
              Map.of());
        } catch (NoSuchFileException e) {
          throw new IllegalArgumentException("--template: no such file: " + e.getFile());
        }
      }
      default ->
          throw new IllegalArgumentException(
              "--judge must be oracle, llm or human, got '" + judge + "'");
    }
  }

  private static String format(Map<String, Double> m) {
    StringBuilder b = new StringBuilder();
    m.forEach(
        (k, v) ->
            b.append(b.length() == 0 ? "" : " ")
                .append(k)
                .append(' ')
                .append(String.format(Locale.ROOT, "%.3f", v)));
    return b.length() == 0 ? "-" : b.toString();
  }

  /**
   * Keeps the progress bar readable (logback, when it is the binding): warnings only of the
   * components, errors only of Kafka and of DJL's GPU probe.
   */
  private static void quietLogs() {
    setLevel("dev.lodestone", ch.qos.logback.classic.Level.WARN);
    setLevel("org.apache.kafka", ch.qos.logback.classic.Level.ERROR);
    setLevel("kafka", ch.qos.logback.classic.Level.ERROR);
    setLevel("ai.djl.util.cuda", ch.qos.logback.classic.Level.ERROR);
  }

  private static void setLevel(String logger, ch.qos.logback.classic.Level level) {
    if (LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(level);
    }
  }
}
