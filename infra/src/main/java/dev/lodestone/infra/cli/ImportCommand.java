package dev.lodestone.infra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.log.InvalidLogException;
import dev.lodestone.infra.log.LogImporter;
import dev.lodestone.infra.options.ClusterOptions;
import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lodestone import}: an exported log back into a topic ({@link LogImporter}). */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Import a log written by lodestone export --format avro into a topic: the schema"
          + " registered, keys and order kept, every record in one transaction, so that a failed"
          + " import leaves nothing. A file imported before into the same topic is not written"
          + " again. A file that is not such a log, holds another type or is damaged is refused"
          + " before anything is written.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:imported, or imported before (nothing written)",
      "1:the file was refused or the import failed; nothing was written",
      "2:invalid option"
    })
public final class ImportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Parameters(index = "0", paramLabel = "FILE", description = "The exported log (Avro).")
  Path file;

  @Option(
      names = "--topic",
      required = true,
      paramLabel = "TOPIC",
      description = "The topic to write to; it must take the file's type of record.")
  String topic;

  @Option(
      names = "--keep-timestamps",
      description =
          "Write the records' original timestamps (default: the import's time). Records older"
              + " than the topic's retention are then deleted by it soon after.")
  boolean keepTimestamps;

  @Option(
      names = "--json",
      description =
          "End stdout with one JSON line: {\"topic\", \"file\", \"records\","
              + " \"alreadyImported\", \"marker\", \"sha256\", \"firstOffset\", \"endOffset\"};"
              + " the offsets the file's records went to (on a one-partition topic; else -1), also"
              + " when it was imported before.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ClusterConfig clusterConfig = cluster.require(spec);
    TopicSpec<?> target =
        Topics.byName(topic)
            .orElseThrow(
                () ->
                    new CommandLine.ParameterException(
                        spec.commandLine(),
                        "unknown topic '"
                            + topic
                            + "'; topics: "
                            + Topics.ALL.stream().map(TopicSpec::name).toList()));
    if (!Files.isRegularFile(file)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + file);
    }
    LogImporter.Result result;
    try {
      result =
          new LogImporter(clusterConfig, clusterConfig.registryClient())
              .importFile(file, target, keepTimestamps);
    } catch (InvalidLogException e) {
      err.println("lodestone import: " + e.getMessage() + "; nothing was written");
      err.flush();
      return 1;
    } catch (IOException | RuntimeException e) {
      err.println(
          "lodestone import: failed, nothing of " + file + " was committed to " + topic + ": " + e);
      err.flush();
      return 1;
    }
    if (result.alreadyImported()) {
      err.println(
          "lodestone import: "
              + file
              + " was imported into "
              + topic
              + " before (marker "
              + result.marker()
              + "); nothing written");
    } else {
      err.println(
          "lodestone import: " + result.records() + " records from " + file + " into " + topic);
    }
    if (result.firstOffset() >= 0) {
      err.println(
          "lodestone import: the file's records are at offsets "
              + result.firstOffset()
              + ".."
              + result.endOffset()
              + " of "
              + topic);
    }
    err.flush();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("topic", topic);
      m.put("file", file.toString());
      m.put("records", result.records());
      m.put("alreadyImported", result.alreadyImported());
      m.put("marker", result.marker());
      m.put("sha256", result.sha256());
      m.put("firstOffset", result.firstOffset());
      m.put("endOffset", result.endOffset());
      out.println(new ObjectMapper().writeValueAsString(m));
      out.flush();
    }
    return 0;
  }
}
