package dev.lodestone.infra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lodestone.infra.log.Relabeler;
import dev.lodestone.infra.options.ClusterOptions;
import dev.lodestone.infra.options.LlmJudgeOptions;
import dev.lodestone.infra.run.RunSummary;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.judge.GameOracle;
import dev.lodestone.judge.LabelMode;
import dev.lodestone.judge.llm.LlmJudge;
import dev.lodestone.judge.llm.LlmJudgeConfig;
import dev.lodestone.judge.llm.LlmJudgeMetrics;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone relabel}: recorded samples judged again by another judge ({@link Relabeler}).
 */
@Command(
    name = "relabel",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Judge the samples recorded in a time range again with another judge, without regenerating"
          + " them, and write the newly labelled groups to the replay topic in one transaction, in"
          + " the order labeled recorded them; lodestone replay --from replay:FROM..TO trains on"
          + " them. Reports how often the new labels agree with the recorded ones.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the groups were relabelled and written",
      "1:nothing was written: the range held no group, every call failed, or the cluster failed",
      "2:invalid option"
    })
public final class RelabelCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--task",
      paramLabel = "TASK",
      defaultValue = TaskSetup.DEFAULT_TASK,
      description =
          "The task whose samples are relabelled: rps, perturbed-rps, condorcet, random:N:SEED or game:PATH; the oracle judges by its game, the LLM judge takes its samples only (default: ${DEFAULT-VALUE}).")
  String task;

  @Mixin ClusterOptions cluster;

  @Option(
      names = "--from-time",
      required = true,
      paramLabel = "INSTANT",
      description = "The first sample time relabelled, ISO-8601 (e.g. 2026-12-07T06:00:00Z).")
  String fromTime;

  @Option(
      names = "--to-time",
      paramLabel = "INSTANT",
      description = "The end of the range, exclusive (default: the end of samples now).")
  String toTime;

  @Option(
      names = "--judge",
      paramLabel = "oracle|llm",
      defaultValue = "oracle",
      description =
          "The new judge: the task's game oracle (--labels, --seed), or a language model (the"
              + " --base-url options) (default: ${DEFAULT-VALUE}).")
  String judge;

  @Option(
      names = "--labels",
      paramLabel = "exact|sampled",
      defaultValue = "exact",
      converter = LabelModeConverter.class,
      description =
          "Oracle: the game's exact probability, or a 0/1 verdict drawn from it for every pair"
              + " (default: ${DEFAULT-VALUE}).")
  LabelMode labels;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "0",
      description = "Oracle: seeds the draws of --labels sampled (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin LlmJudgeOptions llm;

  @Option(
      names = "--json",
      description =
          "End stdout with one JSON line: {\"judgeId\", \"groups\", \"skipped\", \"failed\","
              + " \"firstOffset\", \"endOffset\", \"replayFrom\", \"pairsCompared\","
              + " \"pairsDecided\", \"agreement\", \"meanAbsoluteDifference\","
              + " \"groupsWithoutRecordedLabels\"}.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ClusterConfig clusterConfig = cluster.require(spec);
    TaskSetup setup;
    Instant from;
    Instant to;
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    try {
      setup = TaskSetup.of(task);
      from = Instant.parse(fromTime);
      to = toTime == null ? null : Instant.parse(toTime);
      if (to != null && !to.isAfter(from)) {
        throw new IllegalArgumentException("--to-time must be after --from-time");
      }
      switch (judge) {
        case "oracle" -> {
          if (!llm.given().isEmpty()) {
            throw new IllegalArgumentException(
                llm.given() + " apply to --judge llm only; this judge is the game oracle");
          }
        }
        case "llm" -> {
          for (String oracleOnly : List.of("--labels", "--seed")) {
            if (parsed.hasMatchedOption(oracleOnly)) {
              throw new IllegalArgumentException(oracleOnly + " applies to --judge oracle only");
            }
          }
        }
        default ->
            throw new IllegalArgumentException(
                "--judge must be oracle or llm, got '" + judge + "'");
      }
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Relabeler.GroupJudge groupJudge;
    LlmJudge llmJudge = null;
    if (judge.equals("oracle")) {
      groupJudge =
          Relabeler.GroupJudge.of(GameOracle.forGame(setup.spec(), setup.game(), labels, seed));
    } else {
      LlmJudgeConfig config;
      try {
        config = llm.config(clusterConfig, setup.spec(), "relabel", "relabel", System.getenv());
      } catch (NoSuchFileException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--template: no such file: " + e.getFile());
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      LlmJudge calls = new LlmJudge(config, new LlmJudgeMetrics());
      llmJudge = calls;
      groupJudge =
          new Relabeler.GroupJudge() {
            @Override
            public String judgeId() {
              return config.judgeId();
            }

            @Override
            public JudgeKind kind() {
              return JudgeKind.LLM;
            }

            @Override
            public boolean accepts(SampleGroup group) {
              return config.task().equals(group.getTask());
            }

            @Override
            public CompletableFuture<double[]> judge(SampleGroup group) {
              return calls.judge(group);
            }
          };
    }
    err.println(
        "lodestone relabel: judging samples from "
            + from
            + (to == null ? " to the end" : " to " + to)
            + " with "
            + groupJudge.judgeId()
            + " ...");
    err.flush();
    Relabeler.Result r;
    try {
      r =
          new Relabeler(clusterConfig)
              .relabel(
                  from,
                  to,
                  groupJudge,
                  n -> {
                    err.println("lodestone relabel: " + n + " groups judged");
                    err.flush();
                  });
    } catch (IllegalArgumentException e) {
      err.println("lodestone relabel: " + e.getMessage() + "; nothing was written");
      err.flush();
      return 1;
    } catch (RuntimeException e) {
      err.println("lodestone relabel: failed, nothing was written: " + e);
      err.flush();
      return 1;
    } finally {
      if (llmJudge != null) {
        llmJudge.close();
      }
    }
    if (r.failed() > 0) {
      err.println(
          "lodestone relabel: the judge failed on "
              + r.failed()
              + " groups, not written (first: "
              + r.firstFailure()
              + ")");
    }
    if (r.groups() == 0) {
      err.println("lodestone relabel: no group was relabelled; nothing was written");
      err.flush();
      return 1;
    }
    Relabeler.Agreement a = r.agreement();
    String replayFrom = Topics.REPLAY.name() + ":" + r.firstOffset() + ".." + r.endOffset();
    err.println(
        "lodestone relabel: "
            + r.groups()
            + " groups written to "
            + replayFrom
            + (r.skipped() > 0
                ? " (" + r.skipped() + " of another task, repeated or undecodable left out)"
                : ""));
    err.println(
        String.format(
            Locale.ROOT,
            "lodestone relabel: agreement with the recorded labels: %s of %d pairs both decided"
                + " (%d compared), mean |p_old - p_new| %.4f%s",
            Double.isNaN(a.rate()) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * a.rate()),
            a.decided(),
            a.pairs(),
            a.meanAbsoluteDifference(),
            a.groupsWithoutRecordedLabels() > 0
                ? "; " + a.groupsWithoutRecordedLabels() + " groups had no recorded labels"
                : ""));
    err.println("lodestone relabel: train on them with lodestone replay --from " + replayFrom);
    err.flush();
    if (json) {
      ObjectNode o = new ObjectMapper().createObjectNode();
      o.put("judgeId", groupJudge.judgeId());
      o.put("groups", r.groups());
      o.put("skipped", r.skipped());
      o.put("failed", r.failed());
      o.put("firstOffset", r.firstOffset());
      o.put("endOffset", r.endOffset());
      o.put("replayFrom", replayFrom);
      o.put("pairsCompared", a.pairs());
      o.put("pairsDecided", a.decided());
      o.set("agreement", RunSummary.jsonNumber(a.rate()));
      o.set("meanAbsoluteDifference", RunSummary.jsonNumber(a.meanAbsoluteDifference()));
      o.put("groupsWithoutRecordedLabels", a.groupsWithoutRecordedLabels());
      out.println(o);
      out.flush();
    }
    return 0;
  }
}
