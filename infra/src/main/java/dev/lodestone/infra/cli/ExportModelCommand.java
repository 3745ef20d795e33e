package dev.lodestone.infra.cli;

import dev.lodestone.infra.options.ClusterOptions;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.hf.HfConfig;
import dev.lodestone.policy.hf.HfExport;
import dev.lodestone.policy.hf.Safetensors;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.service.feed.PolicyFeed;
import dev.lodestone.service.feed.PolicyFeedConfig;
import dev.lodestone.service.feed.PolicySnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lodestone export-model}: a policy version from the {@code policy} topic written as a
 * Hugging Face GPT-2 directory ({@link HfExport}; docs/models.md, "Out").
 */
@Command(
    name = "export-model",
    mixinStandardHelpOptions = true,
    description = {
      "Write a model's policy version from the policy topic as a Hugging Face directory"
          + " (GPT2LMHeadModel: config.json, model.safetensors, tokenizer.json,"
          + " generation_config.json) that reloads with the same log-probabilities.",
      "The policy topic is compacted to each model's newest version: without --version the newest"
          + " is written; with --version V the command waits for V and refuses if the newest is"
          + " already past it."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:written",
      "1:the version did not arrive in time, or the directory could not be written",
      "2:invalid option"
    })
public final class ExportModelCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Option(
      names = "--model-id",
      required = true,
      paramLabel = "ID",
      description = "the model whose version to export")
  String modelId;

  @Option(
      names = "--version",
      paramLabel = "V",
      description = "the version to export (default: the newest on the topic)")
  Long version;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write")
  Path out;

  @Option(
      names = "--dtype",
      defaultValue = "F32",
      paramLabel = "F32|F16|BF16",
      description = "stored dtype (default: ${DEFAULT-VALUE})")
  Safetensors.Dtype dtype;

  @Option(
      names = "--timeout",
      defaultValue = "60",
      paramLabel = "SECONDS",
      description = "how long to wait for the version (default: ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Override
  public Integer call() throws IOException, InterruptedException {
    CommandLine cmd = spec.commandLine();
    ClusterConfig cc = cluster.require(spec);
    if (Files.exists(out.resolve("config.json"))) {
      throw new CommandLine.ParameterException(
          cmd, out + " already holds a checkpoint (config.json); choose an empty directory");
    }
    if (version != null && version < 0) {
      throw new CommandLine.ParameterException(cmd, "--version must be >= 0, got " + version);
    }
    PolicySnapshot snapshot;
    try (PolicyFeed feed =
        PolicyFeed.open(PolicyFeedConfig.of(cc, modelId, "export-model", "export-model"))) {
      feed.assign(Duration.ofSeconds(timeoutSeconds));
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
      PolicySnapshot newest = null;
      while (true) {
        Optional<PolicySnapshot> next = feed.poll(Duration.ofMillis(500));
        if (next.isPresent()) {
          newest = next.get();
          continue; // poll again: a newer version may follow
        }
        boolean wanted = newest != null && (version == null || newest.version() >= version);
        if (wanted || System.nanoTime() > deadline) {
          break;
        }
      }
      if (newest == null) {
        cmd.getErr()
            .printf(
                "lodestone export-model: no version of model '%s' on the policy topic after %d s%n",
                modelId, timeoutSeconds);
        return 1;
      }
      if (version != null && newest.version() != version) {
        if (newest.version() < version) {
          cmd.getErr()
              .printf(
                  "lodestone export-model: version %d of model '%s' did not arrive in %d s (the"
                      + " newest is %d)%n",
                  version, modelId, timeoutSeconds, newest.version());
          return 1;
        }
        throw new CommandLine.ParameterException(
            cmd,
            "version "
                + version
                + " of model '"
                + modelId
                + "' is no longer on the policy topic, which keeps the newest ("
                + newest.version()
                + ")");
      }
      snapshot = newest;
    }
    HfConfig written;
    try (PolicyModel model = PolicyModel.fromBytes(snapshot.weights(), Engines.device("cpu"))) {
      try {
        written = HfExport.writeGpt2(model, out, dtype);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cmd, e.getMessage());
      }
    }
    cmd.getOut()
        .printf(
            "wrote %s: model '%s' version %d as %s, %,d parameters, %s%n",
            out,
            modelId,
            snapshot.version(),
            written.architecture(),
            written.parameterCount(),
            dtype);
    return 0;
  }
}
