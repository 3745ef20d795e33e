package dev.lodestone.infra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.log.LogExporter;
import dev.lodestone.infra.options.ClusterOptions;
import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lodestone export}: a topic's committed records to a file ({@link LogExporter}). */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Export the committed records of a topic, partition by partition in offset order, to an"
          + " Avro object container file (schema embedded; lodestone import reads it back), JSON"
          + " lines (Avro's JSON encoding), or, for topic labeled, TRL's preference format (one"
          + " line per labelled pair: prompt, chosen, rejected, with the probability and the"
          + " judges). Progress goes to stderr; the file appears whole or not at all.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:exported", "1:the export failed", "2:invalid option"})
public final class ExportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Option(
      names = "--topic",
      required = true,
      paramLabel = "TOPIC",
      description = "The topic: one of the catalogue's (samples, labels, labeled, ...).")
  String topic;

  @Option(
      names = "--from-offset",
      paramLabel = "N",
      description = "Start at offset N of every partition (default: the beginning).")
  Long fromOffset;

  @Option(
      names = "--from-time",
      paramLabel = "T",
      description = "Start at the first record at or after T, e.g. 2026-12-07T10:00:00Z.")
  String fromTime;

  @Option(
      names = "--to-offset",
      paramLabel = "N",
      description = "Stop before offset N of every partition (default: the end when it starts).")
  Long toOffset;

  @Option(
      names = "--to-time",
      paramLabel = "T",
      description = "Stop before the first record at or after T.")
  String toTime;

  @Option(
      names = "--model-id",
      paramLabel = "ID",
      description =
          "Only the records of this model: samples and labelled groups by the model whose versions"
              + " drew them, policy versions and checkpoints by theirs, metrics by their modelId"
              + " tag (not for prompts, labels or dead-letters, which name no model).")
  String modelId;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "avro",
      description =
          "avro, jsonl, trl or trl-conversational (the TRL formats: topic labeled only)"
              + " (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file.")
  Path out;

  @Option(
      names = "--json",
      description =
          "End stdout with one JSON line: {\"topic\", \"format\", \"file\", \"records\","
              + " \"lines\", \"skipped\", \"ties\", \"otherModels\"}.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ClusterConfig clusterConfig = cluster.require(spec);
    TopicSpec<?> topicSpec;
    LogExporter.Format f;
    LogExporter.Range range;
    try {
      topicSpec =
          Topics.byName(topic)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "unknown topic '"
                              + topic
                              + "'; topics: "
                              + Topics.ALL.stream().map(TopicSpec::name).toList()));
      f = format(format);
      range =
          new LogExporter.Range(
              fromOffset,
              time("--from-time", fromTime),
              toOffset,
              time("--to-time", toTime),
              modelId);
      if (modelId != null && !LogExporter.namesModels(topicSpec)) {
        throw new IllegalArgumentException(
            "--model-id: the records of " + topic + " name no model; leave it out");
      }
      if ((f == LogExporter.Format.TRL || f == LogExporter.Format.TRL_CONVERSATIONAL)
          && topicSpec.valueType() != LabeledGroup.class) {
        throw new IllegalArgumentException(
            "--format " + format + " exports labelled pairs: use --topic labeled or replay");
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    LogExporter exporter = new LogExporter(clusterConfig, clusterConfig.registryClient());
    LogExporter.Result result;
    try {
      result = export(exporter, topicSpec, range, f, err);
    } catch (IOException | RuntimeException e) {
      err.println("lodestone export: failed, nothing written to " + out + ": " + e);
      err.flush();
      return 1;
    }
    err.printf(
        Locale.ROOT,
        "lodestone export: %d records of %s to %s (%d %s%s%s)%n",
        result.records(),
        topic,
        out,
        result.lines(),
        f == LogExporter.Format.AVRO ? "container records" : "lines",
        (result.skipped() > 0 ? ", " + result.skipped() + " undecodable records left out" : "")
            + (result.otherModels() > 0
                ? ", " + result.otherModels() + " records of other models left out"
                : ""),
        result.ties() > 0 ? ", " + result.ties() + " tied pairs left out" : "");
    err.flush();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("topic", topic);
      m.put("format", format);
      m.put("file", out.toString());
      m.put("records", result.records());
      m.put("lines", result.lines());
      m.put("skipped", result.skipped());
      m.put("ties", result.ties());
      m.put("otherModels", result.otherModels());
      stdout.println(new ObjectMapper().writeValueAsString(m));
      stdout.flush();
    }
    return 0;
  }

  private LogExporter.Result export(
      LogExporter exporter,
      TopicSpec<?> topicSpec,
      LogExporter.Range range,
      LogExporter.Format f,
      PrintWriter err)
      throws IOException {
    return exporter.export(
        topicSpec,
        range,
        f,
        out,
        (partition, offset, end, exported) -> {
          err.printf(
              Locale.ROOT,
              "lodestone export: %s partition %d at offset %d of %d, %d records%n",
              topic,
              partition,
              offset,
              end,
              exported);
          err.flush();
        });
  }

  private static LogExporter.Format format(String name) {
    return switch (name) {
      case "avro" -> LogExporter.Format.AVRO;
      case "jsonl" -> LogExporter.Format.JSONL;
      case "trl" -> LogExporter.Format.TRL;
      case "trl-conversational" -> LogExporter.Format.TRL_CONVERSATIONAL;
      default ->
          throw new IllegalArgumentException(
              "--format must be avro, jsonl, trl or trl-conversational, got '" + name + "'");
    };
  }

  private static Instant time(String option, String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          option + " must be an ISO-8601 instant such as 2026-12-07T10:00:00Z, got '" + text + "'");
    }
  }
}
