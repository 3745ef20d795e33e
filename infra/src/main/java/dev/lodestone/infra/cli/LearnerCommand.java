package dev.lodestone.infra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lodestone.infra.options.ClusterOptions;
import dev.lodestone.infra.options.DeviceOption;
import dev.lodestone.infra.options.LearnerOptions;
import dev.lodestone.infra.options.ModelOptions;
import dev.lodestone.infra.options.TaskOptions;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.learner.Learner;
import dev.lodestone.learner.LearnerConfig;
import dev.lodestone.learner.LearnerStats;
import dev.lodestone.learner.NumericalFaults;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.warmup.WarmupListener;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.service.ServiceState;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone learner}: the learner against an existing cluster. Without a checkpoint of the
 * model on {@code learner-state} it warms up a policy for the task (cached) and publishes it as
 * version 0; with one it resumes exactly where the checkpoint left off.
 */
@Command(
    name = "learner",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run the learner against an existing cluster: it consumes the labeled topic, applies the"
          + " algorithm's updates and publishes policy and magnet versions, until --steps,"
          + " --minutes or Ctrl-C. On first start (no checkpoint of the model) it publishes the task's"
          + " warm-up policy as version 0; after a restart it resumes from its last checkpoint.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:stopped cleanly (--steps, --minutes or --end-offset reached)",
      "130/143:stopped cleanly after Ctrl-C / SIGTERM",
      "1:the learner failed or did not start",
      "2:invalid option"
    })
public final class LearnerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

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
          "Stop after publishing at learner step N, counted from step 0 of the model (a restart"
              + " continues the count); 0: run until interrupted (default: ${DEFAULT-VALUE}).")
  long steps;

  @Option(
      names = "--minutes",
      paramLabel = "M",
      defaultValue = "0",
      description =
          "A time limit of M minutes from when the learner starts consuming; 0: none. Alone, it"
              + " fixes the step budget when the cooldown (--cooldown) begins, at step s after"
              + " (1 - cooldown) of the time: max(s + 1, ceil(s / (1 - cooldown))); the run ends"
              + " at that step, and --steps of that budget (--json reports it as budgetSteps)"
              + " replays it. With --steps, or with --cooldown 0, it stops the run at the first"
              + " step past M minutes. With nothing to read past the limit (twice the limit"
              + " when it fixed the budget), the learner publishes what it has and stops"
              + " (default: ${DEFAULT-VALUE}).")
  double minutes;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "0",
      description =
          "Seeds the warm-up; recorded in the learner's checkpoints and metrics (its updates draw"
              + " no random numbers) (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--group-id",
      paramLabel = "GROUP",
      description =
          "The learner's consumer group on labeled, whose offsets it commits with each version"
              + " (default: the learner's, derived from the model id).")
  String groupId;

  @Option(
      names = "--start-offset",
      paramLabel = "OFFSET",
      description =
          "Without a checkpoint: start reading labeled at this offset (default: the earliest).")
  Long startOffset;

  @Option(
      names = "--start-time",
      paramLabel = "INSTANT",
      description =
          "Without a checkpoint: start reading labeled at this time, ISO-8601 (e.g."
              + " 2026-11-22T18:00:00Z).")
  String startTime;

  @Option(
      names = "--end-offset",
      paramLabel = "OFFSET",
      description =
          "Without a checkpoint: stop at this offset of labeled (exclusive), publishing what the"
              + " last whole batch gave; without --steps, the range's whole batches are the step"
              + " budget. A restarted learner keeps the end its checkpoint recorded.")
  Long endOffset;

  @Option(
      names = "--inject-numerical-faults",
      paramLabel = "EVERY",
      defaultValue = "0",
      description =
          "Chaos testing: every EVERY-th step attempt gets a non-finite value, alternately a NaN"
              + " loss and an infinite gradient under a finite loss. Each such step must be skipped"
              + " and counted (skippedSteps) and never reach a published version; lodestone bench"
              + " chaos --scenario numerical checks it. 0: off (default).")
  long faultEvery;

  @Option(
      names = "--json",
      description =
          "At the end, print the learner's final counts as one JSON object: {\"step\","
              + " \"policyVersion\", \"magnetVersion\", \"consumedGroups\", \"skippedSteps\","
              + " \"meanStalenessVersions\", \"groupsPerSecond\", \"lastLoss\", \"state\","
              + " \"budgetSteps\", \"sha256\"}; sha256 is the SHA-256 of the last published"
              + " version's weights, budgetSteps the step budget its schedule ran to (0: none).")
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
    LearnerConfig config;
    try {
      setup = taskOptions.setup();
      if (steps < 0) {
        throw new IllegalArgumentException("--steps must be >= 0, got " + steps);
      }
      if (!(minutes >= 0) || !Double.isFinite(minutes)) {
        throw new IllegalArgumentException("--minutes must be >= 0, got " + minutes);
      }
      if (startOffset != null && startTime != null) {
        throw new IllegalArgumentException("give --start-offset or --start-time, not both");
      }
      LearnerConfig.Builder b =
          LearnerConfig.builder(clusterConfig, taskOptions.modelId(setup))
              .hyperparameters(learner.hyperparameters(spec, seed))
              .device(deviceOption.device)
              .maxSteps(steps)
              .maxDuration(Duration.ofMillis(Math.round(minutes * 60_000)));
      if (groupId != null) {
        b.groupId(groupId);
      }
      b.faults(new NumericalFaults(faultEvery));
      if (startOffset != null) {
        b.startOffset(startOffset);
      }
      if (startTime != null) {
        b.startTime(Instant.parse(startTime));
      }
      if (endOffset != null) {
        b.endOffset(endOffset);
      }
      config = b.build();
    } catch (IllegalArgumentException | DateTimeParseException e) {
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
        "lodestone learner: warm-up policy "
            + (warm.fromCache() ? "loaded from " : "trained and cached in ")
            + warm.file());
    err.flush();
    try (Signals signals = Signals.install("lodestone-learner", Duration.ofSeconds(120));
        Learner service = new Learner(config, warm.weights())) {
      if (!Foreground.start(
          List.of(service), Duration.ofSeconds(startTimeoutSeconds), "learner", err)) {
        return 1;
      }
      err.println(
          "lodestone learner: running (model "
              + config.modelId()
              + ", step "
              + service.step()
              + ", policy version "
              + service.policyVersion()
              + ")");
      err.flush();
      Foreground.await(List.of(service), signals);
      service.close();
      LearnerStats s = service.stats();
      err.println(
          "lodestone learner: "
              + service.state()
              + " at step "
              + s.step()
              + ", policy version "
              + s.policyVersion()
              + ", "
              + s.consumedGroups()
              + " groups consumed");
      err.flush();
      if (json) {
        out.println(statsJson(s, service.state()));
        out.flush();
      }
      return Foreground.exitStatus(List.of(service), "learner", false, err);
    }
  }

  static String statsJson(LearnerStats s, ServiceState state) {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("step", s.step());
    o.put("policyVersion", s.policyVersion());
    o.put("magnetVersion", s.magnetVersion());
    o.put("consumedGroups", s.consumedGroups());
    o.put("skippedSteps", s.skippedSteps());
    putNumber(o, "meanStalenessVersions", s.meanStalenessVersions());
    putNumber(o, "groupsPerSecond", s.groupsPerSecond());
    putNumber(o, "lastLoss", s.lastLoss());
    o.put("state", state.name());
    o.put("budgetSteps", s.budgetSteps());
    o.put("sha256", s.policySha256());
    return o.toString();
  }

  private static void putNumber(ObjectNode o, String key, double v) {
    if (Double.isFinite(v)) {
      o.put(key, v);
    } else {
      o.putNull(key);
    }
  }
}
