package dev.lodestone.infra.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.chaos.Chaos;
import dev.lodestone.infra.chaos.ChaosSettings;
import dev.lodestone.infra.chaos.ScenarioResult;
import dev.lodestone.infra.report.Table;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone bench chaos}: faults done to a running pipeline of processes on a local stack,
 * each scenario reporting what had to arrive, what arrived, what was lost and what came twice
 * ({@link Chaos}).
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Faults done to a running pipeline (separate lodestone processes on a local stack of its"
          + " own per scenario), each reported as counts: expected, delivered, lost, duplicated.",
      "Scenarios: learner (SIGKILLs of a replaying learner: its weights must equal a straight"
          + " replay's), components (SIGKILLs of the judge and the sampler), outage (broker and"
          + " registry down), brokers (one of three broker nodes down at a time), bad-input"
          + " (malformed records into every input topic), bad-requests (malformed HTTP requests"
          + " to the schema registry), numerical (NaN losses and infinite gradients injected into"
          + " the learner's steps).",
      "Exit status 0 when every scenario passed, 1 when one did not.",
      ""
    })
public final class BenchChaosCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--scenario",
      paramLabel = "NAME",
      split = ",",
      description =
          "Scenarios to run, comma-separated or repeated: learner, components, outage, brokers,"
              + " bad-input, bad-requests, numerical (default: all).")
  List<String> scenarios = new ArrayList<>();

  @Option(
      names = "--kills",
      paramLabel = "K",
      defaultValue = "10",
      description = "SIGKILLs per killing scenario (default: ${DEFAULT-VALUE}).")
  int kills;

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "400",
      description = "The learner's step budget in every scenario (default: ${DEFAULT-VALUE}).")
  long steps;

  @Option(
      names = "--outage-seconds",
      paramLabel = "S",
      defaultValue = "300",
      description = "How long the broker and registry are down (default: ${DEFAULT-VALUE}).")
  int outageSeconds;

  @Option(
      names = "--bad-records",
      paramLabel = "N",
      defaultValue = "3400",
      description =
          "Records of each of the 16 kinds of damage (default: ${DEFAULT-VALUE}: 20,400 into"
              + " samples, 23,800 into labels, 10,200 into labeled).")
  int badRecords;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Seeds the kill points (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Where the stacks' data and the components' logs go (kept; default: a new temporary"
              + " directory, printed).")
  Path dir;

  @Option(names = "--json", description = "End with the results as one JSON line.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<String> chosen = scenarios.isEmpty() ? Chaos.ALL : scenarios;
    ChaosSettings settings;
    try {
      for (String name : chosen) {
        if (!Chaos.ALL.contains(name)) {
          throw new IllegalArgumentException(
              "unknown scenario '" + name + "'; known: " + String.join(", ", Chaos.ALL));
        }
      }
      Path base = dir == null ? Files.createTempDirectory("lodestone-chaos-") : dir;
      settings = new ChaosSettings(base, seed, kills, steps, outageSeconds, badRecords);
    } catch (IllegalArgumentException e) {
      err.println("lodestone bench chaos: " + e.getMessage());
      err.flush();
      return 2;
    }
    err.println("lodestone bench chaos: logs and data in " + settings.dir());
    err.flush();
    List<ScenarioResult> results =
        Chaos.run(
            chosen,
            settings,
            line -> {
              err.println("  " + line);
              err.flush();
            });
    Table table =
        Table.of(
                "scenario",
                "faults",
                "expected",
                "delivered",
                "lost",
                "duplicated",
                "passed",
                "check")
            .right(2, 3, 4, 5);
    for (ScenarioResult r : results) {
      table.row(
          r.scenario(),
          r.faults(),
          r.expected(),
          r.delivered(),
          r.lost(),
          r.duplicated(),
          r.passed() ? "yes" : "NO",
          r.check());
    }
    table.printMarkdown(out);
    for (ScenarioResult r : results) {
      out.println();
      out.println(r.scenario() + ": " + r.details());
    }
    if (json) {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("settings", settings.toString());
      report.put("scenarios", results);
      out.println(new ObjectMapper().writeValueAsString(report));
    }
    out.flush();
    return results.stream().allMatch(ScenarioResult::passed) ? 0 : 1;
  }
}
