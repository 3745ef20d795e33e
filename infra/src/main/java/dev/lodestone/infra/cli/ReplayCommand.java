package dev.lodestone.infra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lodestone.infra.log.InvalidLogException;
import dev.lodestone.infra.log.LogImporter;
import dev.lodestone.infra.log.ReplaySource;
import dev.lodestone.infra.options.ClusterOptions;
import dev.lodestone.infra.options.DeviceOption;
import dev.lodestone.infra.options.LearnerOptions;
import dev.lodestone.infra.options.ModelOptions;
import dev.lodestone.infra.options.TaskOptions;
import dev.lodestone.infra.run.EvalPoint;
import dev.lodestone.infra.run.MetricsTail;
import dev.lodestone.infra.run.Progress;
import dev.lodestone.infra.run.ProgressBar;
import dev.lodestone.infra.run.RunReport;
import dev.lodestone.infra.run.RunSummary;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.judge.eval.Evaluator;
import dev.lodestone.judge.eval.EvaluatorConfig;
import dev.lodestone.judge.eval.ReferencePolicy;
import dev.lodestone.learner.Learner;
import dev.lodestone.learner.LearnerConfig;
import dev.lodestone.learner.LearnerStats;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.warmup.WarmupListener;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.service.Service;
import dev.lodestone.service.ServiceState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone replay}: a fresh learner trained on a recorded log of labelled groups,
 * publishing under a model id of its own. The range is resolved to offsets once, when the model
 * starts, and kept in its checkpoints: a replay that is killed and run again with the same command
 * resumes from its last checkpoint and ends bit-identical to one that ran straight through.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train a fresh learner on a recorded log of labelled groups and publish its versions under a"
          + " new model id. The same log, options and seed give bit-identical weights (the same"
          + " sha256) as the learner that recorded it, whether that one ran straight through or"
          + " resumed; run the same command again after a crash and the replay resumes from its"
          + " last checkpoint.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the replay reached the end of its range or --steps",
      "130/143:stopped cleanly after Ctrl-C / SIGTERM (run the same command to resume)",
      "1:the replay failed, or the log file was refused (nothing imported)",
      "2:invalid option"
    })
public final class ReplayCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "SOURCE",
      description = {
        "The log: labeled[:RANGE] or replay[:RANGE], a range of a topic of labelled groups, or FILE,"
            + " a file of labelled groups written by lodestone export --format avro, imported into"
            + " the replay topic first (once: a second replay of the same file reuses it).",
        "RANGE is FROM..TO, each side an offset or an ISO-8601 instant (the first record at or"
            + " after it), TO exclusive; a side left out is the topic's beginning or its end when"
            + " the replay starts (e.g. labeled:..4800, labeled:2026-12-07T06:00:00Z..)."
      })
  String from;

  @Mixin TaskOptions taskOptions;

  @Mixin DeviceOption deviceOption;

  @Mixin ClusterOptions cluster;

  @Mixin ModelOptions model;

  @Mixin LearnerOptions learner;

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "The step budget (the learning rate cools down to it) and where the replay stops, if the"
              + " range lasts; to reproduce a recorded learner, give its budget (its --steps, or"
              + " the budgetSteps its --json reports). 0: the whole batches of the range (default:"
              + " ${DEFAULT-VALUE}).")
  long steps;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "0",
      description =
          "Seeds the warm-up policy of version 0, as the recorded learner's --seed did (default:"
              + " ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description =
          "Evaluate every published version exactly against the task's game and write, into DIR,"
              + " the run report: exploitability.png (exploitability against step),"
              + " strategies.png, evaluations.csv and summary.json.")
  Path report;

  @Option(
      names = "--json",
      description =
          "End stdout with one JSON line: {\"modelId\", \"input\", \"from\", \"to\", \"step\","
              + " \"budgetSteps\", \"policyVersion\", \"magnetVersion\", \"consumedGroups\","
              + " \"state\", \"exploitability\", \"sha256\"}; sha256 is the SHA-256 of the last"
              + " published version's weights.")
  boolean json;

  @Option(
      names = "--start-timeout",
      paramLabel = "SECONDS",
      defaultValue = "120",
      description = "Give up if the learner is not running in time (default: ${DEFAULT-VALUE}).")
  int startTimeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ClusterConfig clusterConfig = cluster.require(spec);
    TaskSetup setup;
    ReplaySource source;
    try {
      setup = taskOptions.setup();
      if (taskOptions.modelId == null) {
        throw new IllegalArgumentException(
            "--model-id NEW is required: a replay publishes its versions under a model id of its"
                + " own");
      }
      if (steps < 0) {
        throw new IllegalArgumentException("--steps must be >= 0, got " + steps);
      }
      source = ReplaySource.parse(from);
      if (source.file().isPresent() && !Files.isRegularFile(source.file().get())) {
        throw new IllegalArgumentException(
            "--from " + from + ": no such file, and not labeled[:RANGE] or replay[:RANGE]");
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    String modelId = taskOptions.modelId;

    // The range, in offsets.
    ReplaySource.Resolved range;
    try {
      if (source.file().isPresent()) {
        Path file = source.file().get();
        LogImporter.Result imported =
            new LogImporter(clusterConfig, clusterConfig.registryClient())
                .importFile(file, Topics.REPLAY, false);
        if (imported.firstOffset() < 0) {
          err.println("lodestone replay: " + file + " holds no records; nothing to replay");
          err.flush();
          return 1;
        }
        err.println(
            "lodestone replay: "
                + file
                + (imported.alreadyImported()
                    ? " was imported before"
                    : " imported (" + imported.records() + " records)")
                + " into "
                + Topics.REPLAY.name()
                + " at offsets "
                + imported.firstOffset()
                + ".."
                + imported.endOffset());
        range =
            new ReplaySource.Resolved(Topics.REPLAY, imported.firstOffset(), imported.endOffset());
      } else {
        range = source.resolve(clusterConfig, Duration.ofSeconds(startTimeoutSeconds));
      }
    } catch (InvalidLogException e) {
      err.println("lodestone replay: " + e.getMessage() + "; nothing was imported");
      err.flush();
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("lodestone replay: --from " + from + ": " + e.getMessage());
      err.flush();
      return 1;
    } catch (IOException | RuntimeException e) {
      err.println("lodestone replay: cannot read " + from + ": " + e);
      err.flush();
      return 1;
    }

    LearnerConfig config;
    try {
      config =
          LearnerConfig.builder(clusterConfig, modelId)
              .hyperparameters(learner.hyperparameters(spec, seed))
              .device(deviceOption.device)
              .input(range.topic())
              .startOffset(range.from())
              .endOffset(range.to())
              .maxSteps(steps)
              .build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    TaskSetup.Warmed warm =
        setup.warmup(
            model.size(spec).config(),
            model.cacheDir(),
            seed,
            Engines.device(deviceOption.device),
            WarmupListener.NONE);
    err.println(
        "lodestone replay: warm-up policy (version 0) "
            + (warm.fromCache() ? "loaded from " : "trained and cached in ")
            + warm.file());
    err.println(
        "lodestone replay: model "
            + modelId
            + " on "
            + range
            + " ("
            + (steps > 0 ? steps + " steps" : "the range's whole batches")
            + "; a checkpoint of "
            + modelId
            + ", if any, is resumed with the range it recorded)");
    err.flush();
    if (report != null) {
      RunReport.prepare();
    }

    List<Service> services = new ArrayList<>();
    Evaluator evaluator = null;
    if (report != null) {
      evaluator =
          new Evaluator(
              EvaluatorConfig.builder(clusterConfig, modelId, setup.game())
                  .instanceId("evaluator-replay-" + modelId)
                  .reference(ReferencePolicy.weights(warm.weights()))
                  .device(deviceOption.device)
                  .minInterval(Duration.ZERO)
                  .build());
      services.add(evaluator);
    }
    Learner service = new Learner(config, warm.weights());
    services.add(service);
    long t0 = System.nanoTime();
    try (Signals signals = Signals.install("lodestone-replay", Duration.ofSeconds(120));
        MetricsTail tail =
            report == null ? null : new MetricsTail(clusterConfig, modelId, Instant.EPOCH);
        Evaluator ev = evaluator;
        Learner l = service) {
      if (!Foreground.start(services, Duration.ofSeconds(startTimeoutSeconds), "replay", err)) {
        return 1;
      }
      err.println(
          "lodestone replay: running from step "
              + l.step()
              + ", policy version "
              + l.policyVersion());
      err.flush();
      ProgressBar bar = new ProgressBar(err, System.console() != null, 10);
      while (!l.state().isTerminal()
          && (ev == null || !ev.state().isTerminal())
          && !signals.sleep(500)) {
        bar.update(progress(l.stats(), tail, t0));
      }
      bar.finish(progress(l.stats(), tail, t0));
      l.close();
      LearnerStats s = l.stats();
      Optional<EvalPoint> last = Optional.empty();
      if (tail != null && l.state() == ServiceState.STOPPED && s.policyVersion() >= 0) {
        tail.awaitVersion(s.policyVersion(), Duration.ofSeconds(60));
        List<EvalPoint> points = tail.points();
        last = points.isEmpty() ? Optional.empty() : Optional.of(points.get(points.size() - 1));
        RunSummary summary =
            new RunSummary(
                setup.spec(),
                config.hyperparameters().algorithm().id(),
                s.step(),
                s.policyVersion(),
                s.magnetVersion(),
                last.map(EvalPoint::exploitability).orElse(Double.NaN),
                last.map(EvalPoint::probabilities).orElse(java.util.Map.of()),
                setup.nash(),
                s.groupsPerSecond(),
                s.meanStalenessVersions(),
                s.policySha256());
        ObjectNode details = new ObjectMapper().createObjectNode();
        details.put("modelId", modelId);
        details.put("replayOf", range.toString());
        details.put("budgetSteps", s.budgetSteps());
        details.put("consumedGroups", s.consumedGroups());
        details.set("learner", new ObjectMapper().valueToTree(config.hyperparameters().asMap()));
        List<Path> files =
            RunReport.write(report, summary, details, points, setup.game().strategies());
        err.println("lodestone replay: report written to " + report + " " + files);
      }
      if (ev != null) {
        ev.close();
      }
      err.println(
          "lodestone replay: "
              + l.state()
              + " at step "
              + s.step()
              + " of "
              + s.budgetSteps()
              + ", policy version "
              + s.policyVersion()
              + ", "
              + s.consumedGroups()
              + " groups consumed, sha256 "
              + s.policySha256());
      err.flush();
      if (json) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("modelId", modelId);
        o.put("input", range.topic().name());
        o.put("from", range.from());
        o.put("to", range.to());
        o.put("step", s.step());
        o.put("budgetSteps", s.budgetSteps());
        o.put("policyVersion", s.policyVersion());
        o.put("magnetVersion", s.magnetVersion());
        o.put("consumedGroups", s.consumedGroups());
        o.put("state", l.state().name());
        o.set(
            "exploitability",
            RunSummary.jsonNumber(last.map(EvalPoint::exploitability).orElse(Double.NaN)));
        o.put("sha256", s.policySha256());
        out.println(o);
        out.flush();
      }
      return Foreground.exitStatus(services, "replay", true, err);
    }
  }

  private static Progress progress(LearnerStats s, MetricsTail tail, long t0) {
    double expl =
        tail == null ? Double.NaN : tail.latest().map(EvalPoint::exploitability).orElse(Double.NaN);
    return new Progress(
        s.budgetSteps() > 0 ? Math.min(1, (double) s.step() / s.budgetSteps()) : 0,
        s.step(),
        s.policyVersion(),
        expl,
        Double.NaN, // a log's groups may come from samplers of any group size
        s.meanStalenessVersions(),
        (System.nanoTime() - t0) / 1_000_000_000L);
  }
}
