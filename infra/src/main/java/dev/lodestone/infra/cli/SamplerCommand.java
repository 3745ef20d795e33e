package dev.lodestone.infra.cli;

import dev.lodestone.infra.options.ClusterOptions;
import dev.lodestone.infra.options.DeviceOption;
import dev.lodestone.infra.options.SamplingOptions;
import dev.lodestone.infra.options.TaskOptions;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.sampler.PromptSource;
import dev.lodestone.sampler.SamplerConfig;
import dev.lodestone.sampler.SamplerService;
import dev.lodestone.sampler.SamplerStats;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone sampler}: one sampler against an existing cluster. It follows the model's policy
 * versions, answers the task's prompt (or the {@code prompts} topic) with groups of responses,
 * publishes them to {@code samples}, and runs until Ctrl-C or SIGTERM (or {@code --max-groups}).
 */
@Command(
    name = "sampler",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run one sampler against an existing cluster until interrupted: it waits for the model's"
          + " policy version 0, then publishes sample groups to the samples topic, hot-swapping to"
          + " each new policy version.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:stopped cleanly (--max-groups reached)",
      "130/143:stopped cleanly after Ctrl-C / SIGTERM",
      "1:the sampler failed",
      "2:invalid option"
    })
public final class SamplerCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin TaskOptions taskOptions;

  @Mixin DeviceOption deviceOption;

  @Mixin ClusterOptions cluster;

  @Option(
      names = "--sampler-id",
      paramLabel = "ID",
      description =
          "This sampler's id, the prefix of its group ids; never reuse one (default: sampler-"
              + " and 8 random hex digits).")
  String samplerId;

  @Mixin SamplingOptions sampling;

  @Option(
      names = "--prompts-topic",
      paramLabel = "GROUP",
      description =
          "Answer the prompts of the task on the prompts topic, read with this consumer group,"
              + " instead of the game's prompt.")
  String promptsGroup;

  @Option(
      names = "--max-groups",
      paramLabel = "N",
      description = "Stop after publishing N groups (default: run until interrupted).")
  Long maxGroups;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "0",
      description = "Sampling seed, mixed with the sampler id (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--start-timeout",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description = "Give up if the sampler is not running in time (default: ${DEFAULT-VALUE}).")
  int startTimeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ClusterConfig clusterConfig = cluster.require(spec);
    TaskSetup setup;
    SamplerConfig config;
    try {
      setup = taskOptions.setup();
      SamplerConfig.Builder b =
          sampling
              .settings()
              .builder(
                  clusterConfig,
                  taskOptions.modelId(setup),
                  setup,
                  promptsGroup == null
                      ? PromptSource.fixed(setup.game().prompt())
                      : PromptSource.topic(promptsGroup),
                  samplerId == null ? SamplerConfig.randomSamplerId() : samplerId,
                  deviceOption.device,
                  seed);
      if (maxGroups != null) {
        b.maxGroups(maxGroups);
      }
      config = b.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try (Signals signals = Signals.install("lodestone-sampler", Duration.ofSeconds(60));
        SamplerService sampler = new SamplerService(config)) {
      if (!Foreground.start(
          List.of(sampler), Duration.ofSeconds(startTimeoutSeconds), "sampler", err)) {
        return 1;
      }
      err.println(
          "lodestone sampler: "
              + config.samplerId()
              + " running (model "
              + config.modelId()
              + ", task "
              + config.task()
              + ")");
      err.flush();
      Foreground.await(List.of(sampler), signals);
      sampler.close();
      SamplerStats s = sampler.stats();
      err.println(
          "lodestone sampler: "
              + sampler.state()
              + " after "
              + s.groupsPublished()
              + " groups (last policy version "
              + s.policyVersion()
              + ")");
      err.flush();
      return Foreground.exitStatus(List.of(sampler), "sampler", false, err);
    }
  }
}
