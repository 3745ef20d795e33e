package dev.lodestone.infra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lodestone.infra.log.InvalidLogException;
import dev.lodestone.infra.log.TrlImporter;
import dev.lodestone.infra.options.ClusterOptions;
import dev.lodestone.infra.options.DeviceOption;
import dev.lodestone.infra.options.ModelOptions;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.warmup.WarmupListener;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone import-trl}: a TRL preference dataset's prompts or pairs ({@link TrlImporter}).
 */
@Command(
    name = "import-trl",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Import a preference dataset in TRL's format (JSON lines of prompt, chosen and rejected,"
          + " plain or conversational; lodestone export --format trl writes it): its distinct"
          + " prompts into the prompts topic, for the samplers, or its pairs into the replay topic"
          + " as labelled groups, for lodestone replay. A dataset has no behaviour log-probs: the"
          + " pairs are scored under the task's warm-up policy and stamped as its version 0, so"
          + " the learner corrects them from that policy to its own by importance weights, as it"
          + " does any stale sample. Written in one transaction; a file is imported into a topic"
          + " once.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:imported, or imported before (nothing written)",
      "1:the file was refused or the import failed; nothing was written",
      "2:invalid option"
    })
public final class ImportTrlCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "The dataset, JSON lines.")
  Path file;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "prompts|pairs",
      description =
          "prompts: each distinct prompt into the prompts topic; pairs: every pair into the"
              + " replay topic as a labelled group (chosen first, P(chosen) from the line's"
              + " probability, else 1).")
  String to;

  @Option(
      names = "--task",
      paramLabel = "TASK",
      defaultValue = TaskSetup.DEFAULT_TASK,
      description =
          "The task the prompts and pairs belong to: rps, perturbed-rps, condorcet, random:N:SEED or game:PATH; pairs are scored under its warm-up policy (default: ${DEFAULT-VALUE}).")
  String task;

  @Mixin ClusterOptions cluster;

  @Mixin ModelOptions model;

  @Mixin DeviceOption deviceOption;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "0",
      description =
          "pairs: the seed of the warm-up policy that scores them, as the replay's --seed"
              + " (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--json",
      description =
          "End stdout with one JSON line: {\"topic\", \"file\", \"lines\", \"records\","
              + " \"skipped\", \"alreadyImported\", \"firstOffset\", \"endOffset\"}.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ClusterConfig clusterConfig = cluster.require(spec);
    TaskSetup setup;
    try {
      setup = TaskSetup.of(task);
      if (!to.equals("prompts") && !to.equals("pairs")) {
        throw new IllegalArgumentException("--to must be prompts or pairs, got '" + to + "'");
      }
      if (to.equals("prompts")) {
        for (String pairsOnly : new String[] {"--model", "--warmup-cache", "--seed", "--device"}) {
          if (spec.commandLine().getParseResult().hasMatchedOption(pairsOnly)) {
            throw new IllegalArgumentException(pairsOnly + " applies to --to pairs only");
          }
        }
      }
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("no such file: " + file);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    TrlImporter importer = new TrlImporter(clusterConfig);
    TrlImporter.Result result;
    String topic;
    try {
      if (to.equals("prompts")) {
        topic = Topics.PROMPTS.name();
        result = importer.importPrompts(file, setup.spec());
      } else {
        topic = Topics.REPLAY.name();
        TaskSetup.Warmed warm =
            setup.warmup(
                model.size(spec).config(),
                model.cacheDir(),
                seed,
                Engines.device(deviceOption.device),
                WarmupListener.NONE);
        err.println(
            "lodestone import-trl: scoring the pairs under the warm-up policy (version 0) "
                + (warm.fromCache() ? "loaded from " : "trained and cached in ")
                + warm.file());
        err.flush();
        try (PolicyModel scorer =
            PolicyModel.fromBytes(warm.weights(), Engines.device(deviceOption.device))) {
          result = importer.importPairs(file, setup.spec(), scorer, 0);
        }
      }
    } catch (InvalidLogException e) {
      err.println("lodestone import-trl: " + e.getMessage() + "; nothing was written");
      err.flush();
      return 1;
    } catch (IOException | RuntimeException e) {
      err.println("lodestone import-trl: failed, nothing was written: " + e.getMessage());
      err.flush();
      return 1;
    }
    if (result.alreadyImported()) {
      err.println(
          "lodestone import-trl: "
              + file
              + " was imported into "
              + topic
              + " before; nothing written");
    } else {
      err.println(
          "lodestone import-trl: "
              + result.records()
              + " records from "
              + result.lines()
              + " lines of "
              + file
              + " into "
              + topic
              + (result.skipped() > 0
                  ? " (" + result.skipped() + " pairs longer than the model's context left out)"
                  : ""));
    }
    if (result.firstOffset() >= 0) {
      err.println(
          "lodestone import-trl: at "
              + topic
              + ":"
              + result.firstOffset()
              + ".."
              + result.endOffset()
              + (to.equals("pairs")
                  ? "; train on them with lodestone replay --from "
                      + topic
                      + ":"
                      + result.firstOffset()
                      + ".."
                      + result.endOffset()
                  : ""));
    }
    err.flush();
    if (json) {
      ObjectNode o = new ObjectMapper().createObjectNode();
      o.put("topic", topic);
      o.put("file", file.toString());
      o.put("lines", result.lines());
      o.put("records", result.records());
      o.put("skipped", result.skipped());
      o.put("alreadyImported", result.alreadyImported());
      o.put("firstOffset", result.firstOffset());
      o.put("endOffset", result.endOffset());
      out.println(o);
      out.flush();
    }
    return 0;
  }
}
