package dev.lodestone.infra.cli;

import dev.lodestone.games.InvalidGameException;
import dev.lodestone.infra.options.ClusterOptions;
import dev.lodestone.infra.options.LlmJudgeOptions;
import dev.lodestone.infra.options.TaskOptions;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.judge.GameOracle;
import dev.lodestone.judge.LabelMode;
import dev.lodestone.judge.llm.LlmJudgeService;
import dev.lodestone.judge.streams.Aggregation;
import dev.lodestone.judge.streams.JudgeConfig;
import dev.lodestone.judge.streams.JudgeService;
import dev.lodestone.judge.streams.LabelJoinConfig;
import dev.lodestone.judge.streams.LabelJoinService;
import dev.lodestone.judge.streams.StreamsAppConfig;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.service.Service;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.commons.io.FileUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone judge}: a judge instance (the game oracle, a Kafka Streams application, or an
 * LLM judge, a consume-transform-produce service) and, unless {@code --no-join}, a label-join
 * instance, against an existing cluster, exactly-once. Instances started with the same application
 * ids split the partitions between them.
 */
@Command(
    name = "judge",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run a judge (samples -> labels): the game oracle, or a language model behind an"
          + " OpenAI-compatible API (--kind llm --base-url URL); and the label join (samples +"
          + " labels -> labeled) against an existing cluster until interrupted. Several instances"
          + " with the same application ids share the work.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "130/143:stopped cleanly after Ctrl-C / SIGTERM",
      "1:a component failed or did not start",
      "2:invalid option"
    })
public final class JudgeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin TaskOptions taskOptions;

  @Mixin ClusterOptions cluster;

  @Option(
      names = "--kind",
      paramLabel = "oracle|llm",
      defaultValue = "oracle",
      description =
          "The judge: the task's game oracle, or a language model (the --base-url options below)"
              + " (default: ${DEFAULT-VALUE}).")
  String kind;

  @Mixin LlmJudgeOptions llm;

  @Option(
      names = "--application-id",
      paramLabel = "ID",
      description =
          "The judge's application id: its Kafka Streams application (oracle) or consumer group"
              + " (llm) (default: judge-MODEL_ID, judge-llm-MODEL_ID).")
  String applicationId;

  @Option(
      names = "--join-application-id",
      paramLabel = "ID",
      description = "The label join's application id (default: label-join-MODEL_ID).")
  String joinApplicationId;

  @Option(
      names = "--instance-id",
      paramLabel = "ID",
      description = "This instance's id in client ids and metrics (default: random).")
  String instanceId;

  @Option(names = "--no-join", description = "Run the judge only, not the label join.")
  boolean noJoin;

  @Option(
      names = "--labels",
      paramLabel = "exact|sampled",
      defaultValue = "exact",
      converter = LabelModeConverter.class,
      description =
          "What the judge answers: the game's exact probability, or a 0/1 verdict drawn from it"
              + " for every pair, as a person or a language model answers (default:"
              + " ${DEFAULT-VALUE}).")
  LabelMode labels;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "0",
      description =
          "Seeds the draws of --labels sampled, mixed with each group id and pair; the same seed"
              + " gives the same verdicts (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--quorum",
      paramLabel = "N",
      defaultValue = "" + LabelJoinConfig.DEFAULT_QUORUM,
      description =
          "Labels from distinct judges every pair needs before the join emits the group"
              + " (default: ${DEFAULT-VALUE}).")
  int quorum;

  @Option(
      names = "--aggregate",
      paramLabel = "RULE",
      defaultValue = "mean",
      description =
          "How the join combines a pair's labels from several judges: mean, majority, or"
              + " weighted:KIND=W,... by judge kind (GAME_ORACLE, HUMAN, LLM, PREFERENCE_MODEL,"
              + " OTHER; a kind left out weighs 1) (default: ${DEFAULT-VALUE}).")
  String aggregate;

  @Option(
      names = "--label-timeout",
      paramLabel = "SECONDS",
      defaultValue = "" + LabelJoinConfig.DEFAULT_UNKNOWN_GROUP_TIMEOUT_SECONDS,
      description =
          "How long the join keeps a label whose group it has not seen before it goes to"
              + " dead-letters as UNKNOWN_GROUP (default: ${DEFAULT-VALUE}).")
  long labelTimeoutSeconds;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Stream threads of the oracle judge and of the label join (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Kafka Streams state directory (default: a temporary directory, deleted on exit).")
  Path stateDir;

  @Option(
      names = "--start-timeout",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description = "Give up if a component is not running in time (default: ${DEFAULT-VALUE}).")
  int startTimeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ClusterConfig clusterConfig = cluster.require(spec);
    TaskSetup setup;
    try {
      setup = taskOptions.setup();
    } catch (InvalidGameException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    String model = taskOptions.modelId(setup);
    String instance = instanceId == null ? "judge-" + Ids.randomHex() : instanceId;
    boolean temporary = stateDir == null;
    Path dir = temporary ? Files.createTempDirectory("lodestone-judge-") : stateDir;
    List<Service> services = new ArrayList<>();
    try {
      try {
        services.add(judge(clusterConfig, setup, model, instance, dir));
        if (!noJoin) {
          LabelJoinConfig joinConfig =
              LabelJoinConfig.of(
                      StreamsAppConfig.defaults(
                              joinApplicationId == null ? "label-join-" + model : joinApplicationId,
                              instance,
                              dir.resolve("join"))
                          .withNumStreamThreads(threads))
                  .withQuorum(quorum)
                  .withAggregation(Aggregation.parse(aggregate))
                  .withTimeouts(
                      Duration.ofSeconds(labelTimeoutSeconds),
                      LabelJoinConfig.DEFAULT_INCOMPLETE_GROUP_TIMEOUT);
          services.add(0, new LabelJoinService(joinConfig, clusterConfig));
        }
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      try (Signals signals = Signals.install("lodestone-judge", Duration.ofSeconds(60))) {
        if (!Foreground.start(services, Duration.ofSeconds(startTimeoutSeconds), "judge", err)) {
          closeAll(services);
          return 1;
        }
        err.println(
            "lodestone judge: "
                + instance
                + " running ("
                + services.get(services.size() - 1).name()
                + ", task "
                + setup.spec()
                + (noJoin ? ", no label join" : ", with the label join")
                + ")");
        err.flush();
        Foreground.await(services, signals);
        closeAll(services);
        return Foreground.exitStatus(services, "judge", true, err);
      }
    } finally {
      closeAll(services);
      if (temporary) {
        FileUtils.deleteQuietly(dir.toFile());
      }
    }
  }

  /** The judge of --kind, checked against the options given. */
  private Service judge(
      ClusterConfig clusterConfig, TaskSetup setup, String model, String instance, Path dir)
      throws IOException {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    switch (kind) {
      case "oracle" -> {
        if (!llm.given().isEmpty()) {
          throw new IllegalArgumentException(
              llm.given() + " apply to --kind llm only; this judge is the game oracle");
        }
        JudgeConfig judgeConfig =
            JudgeConfig.of(
                StreamsAppConfig.defaults(
                        applicationId == null ? "judge-" + model : applicationId,
                        instance,
                        dir.resolve("judge"))
                    .withNumStreamThreads(threads));
        return new JudgeService(
            judgeConfig,
            clusterConfig,
            GameOracle.forGame(setup.spec(), setup.game(), labels, seed));
      }
      case "llm" -> {
        for (String oracleOnly : List.of("--labels", "--seed")) {
          if (parsed.hasMatchedOption(oracleOnly)) {
            throw new IllegalArgumentException(
                oracleOnly + " applies to --kind oracle only; use --concurrency for an LLM judge");
          }
        }
        try {
          return new LlmJudgeService(
              llm.config(
                  clusterConfig,
                  setup.spec(),
                  applicationId == null ? "judge-llm-" + model : applicationId,
                  instance,
                  System.getenv()));
        } catch (NoSuchFileException e) {
          throw new IllegalArgumentException("--template: no such file: " + e.getFile());
        }
      }
      default ->
          throw new IllegalArgumentException("--kind must be oracle or llm, got '" + kind + "'");
    }
  }

  private static void closeAll(List<Service> services) {
    for (int i = services.size() - 1; i >= 0; i--) {
      services.get(i).close();
    }
  }
}
