package dev.lodestone.infra.bench;

import ai.djl.Device;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.games.Games;
import dev.lodestone.infra.options.LearnerOptions;
import dev.lodestone.infra.report.ComparisonPlot;
import dev.lodestone.judge.LabelMode;
import dev.lodestone.learner.LearnerAlgorithm;
import dev.lodestone.learner.LearnerHyperparameters;
import dev.lodestone.policy.Engines;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone bench algorithms}: every token-level algorithm of the learner on the same games,
 * labels, seeds and budget in labelled groups, through {@link LearnerBench} (the pipeline's
 * mathematics without Kafka). Each run is one line of {@code --out} (JSON), so an interrupted
 * comparison continues where it stopped; the table gives, per game and labels, each algorithm's
 * last-iterate exploitability (mean and standard deviation over the seeds) and its average
 * iterate's. {@code --tune} first gives every algorithm the same sweep of three settings of its
 * step or regularisation parameter on games that are not reported, and keeps the best.
 */
@Command(
    name = "algorithms",
    mixinStandardHelpOptions = true,
    description = {
      "Every token-level algorithm on the same games, labels, seeds and budget in labelled"
          + " groups (in-process, no Kafka): last- and average-iterate exploitability, mean and"
          + " spread over the seeds."
    })
public final class BenchAlgorithmsCommand implements Callable<Integer> {

  /** The games of the comparison by default. */
  static final String DEFAULT_TASKS =
      "perturbed-rps,rps,condorcet,random:5:1,random:10:1,shared-prefix";

  /** The tuning games: not among the reported ones. */
  static final String DEFAULT_TUNE_TASKS = "random:4:101,random:6:102";

  @Spec CommandSpec spec;

  @Option(
      names = "--algos",
      split = ",",
      paramLabel = "ALGO",
      description = "the algorithms (default: all of them); none: only the --variant rows")
  List<String> algos;

  @Option(
      names = "--variant",
      paramLabel = "NAME=OPTIONS",
      description =
          "an extra row: NAME run with the learner options OPTIONS (for example"
              + " 'mpo-no-trust-region=--algo mpo --max-log-ratio 0'); repeatable. Variants are"
              + " not tuned.")
  List<String> variants = new ArrayList<>();

  @Option(
      names = "--tasks",
      split = ",",
      paramLabel = "GAME",
      defaultValue = DEFAULT_TASKS,
      description = "the games (default: ${DEFAULT-VALUE})")
  List<String> tasks;

  @Option(
      names = "--labels",
      split = ",",
      paramLabel = "MODE",
      defaultValue = "exact,sampled",
      description = "exact, sampled or both (default: ${DEFAULT-VALUE})")
  List<String> labels;

  @Option(
      names = "--seeds",
      defaultValue = "5",
      description = "seeds 1..N per cell (default: ${DEFAULT-VALUE})")
  int seeds;

  @Option(
      names = "--groups",
      defaultValue = "19200",
      description =
          "the budget in labelled groups per run, the same for every algorithm: steps = GROUPS /"
              + " --batch-groups of the algorithm's settings (default: ${DEFAULT-VALUE})")
  long groups;

  @Option(
      names = "--tune",
      description =
          "first run each algorithm's sweep (three settings of its step size eta, or of its"
              + " regularisation alpha where it has no eta) on --tune-tasks, one seed, and keep"
              + " the setting of lowest mean final exploitability")
  boolean tune;

  @Option(
      names = "--tune-tasks",
      split = ",",
      paramLabel = "GAME",
      defaultValue = DEFAULT_TUNE_TASKS,
      description = "the tuning games, other than the reported ones (default: ${DEFAULT-VALUE})")
  List<String> tuneTasks;

  @Option(
      names = "--lag",
      defaultValue = "0",
      description =
          "the sampler draws from the version this many publications older than the newest, as"
              + " the pipeline's samplers run behind (default: ${DEFAULT-VALUE})")
  int lag;

  @Option(
      names = "--eval-every",
      defaultValue = "5",
      description = "versions between evaluations (default: ${DEFAULT-VALUE})")
  int evalEvery;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      defaultValue = "algorithms-runs.jsonl",
      description =
          "one JSON line per run, appended; runs already in the file are not run again"
              + " (default: ${DEFAULT-VALUE})")
  Path outFile;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE})")
  String device;

  @Option(
      names = "--plot",
      paramLabel = "FILE",
      description =
          "also write a PNG bar chart of the last-iterate exploitability, mean and standard"
              + " deviation per game and labels")
  Path plot;

  @Option(names = "--json", description = "print the summary as one JSON object, the last line")
  boolean json;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One row of the comparison: a name and the learner options it runs with. */
  record Entry(String name, List<String> options, boolean tunable) {}

  /** The options holder a row's options are parsed with, to get the learner's own checks. */
  @Command(name = "variant")
  static final class RowOptions {
    @Spec CommandSpec spec;
    @Mixin LearnerOptions learner;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (seeds < 1 || groups < 1 || evalEvery < 1 || lag < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--seeds, --groups and --eval-every must be >= 1, --lag >= 0");
    }
    List<Entry> entries = entries();
    List<LabelMode> modes = new ArrayList<>();
    List<String> allTasks = new ArrayList<>(tasks);
    allTasks.addAll(tuneTasks);
    try {
      for (String l : labels) {
        modes.add(LabelMode.parse(l));
      }
      for (String t : allTasks) {
        Games.parse(t);
      }
      for (Entry e : entries) {
        hyperparameters(e.options(), 1); // refuses bad options before any run
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Device dev = Engines.device(device);
    Map<String, JsonNode> done = readRuns(outFile);
    err.printf(
        "bench algorithms: %d rows x %d games x %d label modes x %d seeds, %d labelled groups"
            + " per run; %d runs already in %s%n",
        entries.size(), tasks.size(), modes.size(), seeds, groups, done.size(), outFile);

    // The sweep: three settings per tunable row, the same for every algorithm.
    Map<String, List<String>> chosen = new LinkedHashMap<>();
    Map<String, Object> tuning = new LinkedHashMap<>();
    for (Entry e : entries) {
      chosen.put(e.name(), e.options());
      if (!tune || !e.tunable()) {
        continue;
      }
      double bestScore = Double.POSITIVE_INFINITY;
      List<Map<String, Object>> grid = new ArrayList<>();
      for (List<String> options : sweep(e)) {
        double sum = 0;
        for (String t : tuneTasks) {
          for (LabelMode mode : modes) {
            JsonNode r = runOnce(e.name() + "#tune", options, t, mode, 1, dev, done, err);
            sum += r.get("finalExploitability").asDouble();
          }
        }
        double score = sum / (tuneTasks.size() * modes.size());
        grid.add(Map.of("options", String.join(" ", options), "meanFinalExploitability", score));
        if (score < bestScore) {
          bestScore = score;
          chosen.put(e.name(), options);
        }
      }
      tuning.put(e.name(), Map.of("grid", grid, "chosen", String.join(" ", chosen.get(e.name()))));
      err.printf(
          "bench algorithms: %s tuned: %s (mean final exploitability %.4f on %s)%n",
          e.name(), String.join(" ", chosen.get(e.name())), bestScore, tuneTasks);
    }

    // The comparison.
    List<Map<String, Object>> cells = new ArrayList<>();
    for (String t : tasks) {
      for (LabelMode mode : modes) {
        for (Entry e : entries) {
          double[] last = new double[seeds];
          double[] average = new double[seeds];
          for (int seed = 1; seed <= seeds; seed++) {
            JsonNode r = runOnce(e.name(), chosen.get(e.name()), t, mode, seed, dev, done, err);
            last[seed - 1] = r.get("finalExploitability").asDouble();
            average[seed - 1] = r.get("averageIterateExploitability").asDouble();
          }
          Map<String, Object> cell = new LinkedHashMap<>();
          cell.put("task", t);
          cell.put("labels", mode.id());
          cell.put("algorithm", e.name());
          cell.put("options", String.join(" ", chosen.get(e.name())));
          cell.put("seeds", seeds);
          cell.put("lastMean", mean(last));
          cell.put("lastSd", sd(last));
          cell.put("lastMax", Arrays.stream(last).max().orElse(Double.NaN));
          cell.put("averageMean", mean(average));
          cell.put("averageSd", sd(average));
          cell.put("last", last);
          cells.add(cell);
        }
      }
    }
    printTable(out, cells, entries);
    if (plot != null) {
      List<String> categories = new ArrayList<>();
      Map<String, ComparisonPlot.Series> series = new LinkedHashMap<>();
      for (Map<String, Object> c : cells) {
        String col = c.get("task") + " / " + c.get("labels");
        if (!categories.contains(col)) {
          categories.add(col);
        }
      }
      for (Entry e : entries) {
        double[] means = new double[categories.size()];
        double[] sds = new double[categories.size()];
        for (Map<String, Object> c : cells) {
          if (c.get("algorithm").equals(e.name())) {
            int k = categories.indexOf(c.get("task") + " / " + c.get("labels"));
            means[k] = (Double) c.get("lastMean");
            sds[k] = (Double) c.get("lastSd");
          }
        }
        series.put(e.name(), new ComparisonPlot.Series(means, sds));
      }
      ComparisonPlot.save(
          plot,
          "Last-iterate exploitability, "
              + seeds
              + " seeds, "
              + groups
              + " labelled groups per run",
          "exploitability (mean, sd)",
          categories,
          series);
      err.println("bench algorithms: plot written to " + plot);
    }
    if (json) {
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("groups", groups);
      summary.put("seeds", seeds);
      summary.put("tuneTasks", tune ? tuneTasks : List.of());
      summary.put("tuning", tuning);
      summary.put("cells", cells);
      out.println(MAPPER.writeValueAsString(summary));
    }
    out.flush();
    return 0;
  }

  private List<Entry> entries() {
    List<Entry> entries = new ArrayList<>();
    List<String> names =
        algos == null || algos.isEmpty()
            ? Arrays.stream(LearnerAlgorithm.values()).map(LearnerAlgorithm::id).toList()
            : algos;
    if (names.equals(List.of("none"))) {
      if (variants.isEmpty()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--algos none needs at least one --variant");
      }
      names = List.of();
    }
    for (String name : names) {
      LearnerAlgorithm a;
      try {
        a = LearnerAlgorithm.parse(name);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--algos: " + e.getMessage());
      }
      entries.add(new Entry(a.id(), List.of("--algo", a.id()), true));
    }
    for (String v : variants) {
      int eq = v.indexOf('=');
      if (eq < 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--variant must be NAME=OPTIONS, got '" + v + "'");
      }
      String name = v.substring(0, eq).strip();
      List<String> options = List.of(v.substring(eq + 1).strip().split("\\s+"));
      if (entries.stream().anyMatch(e -> e.name().equals(name))) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--variant name '" + name + "' is already a row");
      }
      entries.add(new Entry(name, options, false));
    }
    return entries;
  }

  /**
   * Three settings of the row's step size eta (0.5, 1, 2 times the default), or of its
   * regularisation alpha where the algorithm has no eta (online DPO, online IPO, EGPO).
   */
  static List<List<String>> sweep(Entry e) {
    LearnerAlgorithm a = LearnerAlgorithm.parse(e.options().get(1));
    String option = a.unusedOptions().contains("--eta") ? "--alpha" : "--eta";
    double base =
        option.equals("--eta")
            ? LearnerHyperparameters.DEFAULT_ETA
            : LearnerHyperparameters.DEFAULT_ALPHA;
    List<List<String>> grid = new ArrayList<>();
    for (double f : new double[] {0.5, 1.0, 2.0}) {
      List<String> o = new ArrayList<>(e.options());
      o.add(option);
      o.add(Double.toString(base * f));
      grid.add(List.copyOf(o));
    }
    return grid;
  }

  private LearnerHyperparameters hyperparameters(List<String> options, long seed) {
    RowOptions row = new RowOptions();
    CommandLine cl = new CommandLine(row);
    try {
      cl.parseArgs(options.toArray(String[]::new));
      return row.learner.hyperparameters(row.spec, seed);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(
          "options '" + String.join(" ", options) + "': " + e.getMessage(), e);
    }
  }

  /** A run's identity in {@code --out}; a lag of 0 is left out, as before the option existed. */
  private static String key(
      String row,
      List<String> options,
      String task,
      LabelMode mode,
      long seed,
      int steps,
      int lag) {
    return row
        + "|"
        + String.join(" ", options)
        + "|"
        + task
        + "|"
        + mode.id()
        + "|"
        + seed
        + "|"
        + steps
        + (lag == 0 ? "" : "|lag " + lag);
  }

  private JsonNode runOnce(
      String row,
      List<String> options,
      String task,
      LabelMode mode,
      long seed,
      Device dev,
      Map<String, JsonNode> done,
      PrintWriter err)
      throws IOException {
    LearnerHyperparameters hp = hyperparameters(options, seed);
    long stepsLong = groups / hp.batchGroups();
    if (stepsLong < 1 || stepsLong > Integer.MAX_VALUE) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--groups " + groups + " gives " + stepsLong + " steps of " + hp.batchGroups());
    }
    int steps = (int) stepsLong;
    String key = key(row, options, task, mode, seed, steps, lag);
    JsonNode known = done.get(key);
    if (known != null) {
      return known;
    }
    LearnerBench.Settings settings =
        new LearnerBench.Settings(task, hp, steps, 2, 16, lag, evalEvery, seed, mode);
    LearnerBench.Result r = LearnerBench.run(settings, dev, p -> {});
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("key", key);
    line.put("row", row);
    line.put("options", String.join(" ", options));
    line.putAll(r.asMap());
    String text = MAPPER.writeValueAsString(line);
    Files.writeString(
        outFile,
        text + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    JsonNode node = MAPPER.readTree(text);
    done.put(key, node);
    err.printf(
        Locale.ROOT,
        "bench algorithms: %-14s %-14s %-7s seed %d: final %.4f, average iterate %.4f (%.0f s)%n",
        row,
        task,
        mode.id(),
        seed,
        r.last().exploitability(),
        r.averageExploitability(),
        r.wallSeconds());
    err.flush();
    return node;
  }

  private static Map<String, JsonNode> readRuns(Path file) throws IOException {
    Map<String, JsonNode> runs = new HashMap<>();
    if (!Files.exists(file)) {
      return runs;
    }
    int n = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode node = MAPPER.readTree(line);
        if (node.hasNonNull("key")) {
          runs.put(node.get("key").asText(), node);
        }
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(
            new IOException(
                file + " line " + n + " is not a run's JSON: " + e.getOriginalMessage()));
      }
    }
    return runs;
  }

  private void printTable(PrintWriter out, List<Map<String, Object>> cells, List<Entry> entries) {
    out.printf(
        "last-iterate exploitability, mean ± sd over %d seeds (average iterate in brackets),"
            + " %d labelled groups per run; * lowest mean of the cell%n",
        seeds, groups);
    List<String> columns = new ArrayList<>();
    for (Map<String, Object> c : cells) {
      String col = c.get("task") + "/" + c.get("labels");
      if (!columns.contains(col)) {
        columns.add(col);
      }
    }
    StringBuilder header = new StringBuilder(String.format("%-22s", "algorithm"));
    for (String col : columns) {
      header.append(String.format(" | %-28s", col));
    }
    out.println(header);
    Map<String, Double> best = new HashMap<>();
    for (Map<String, Object> c : cells) {
      String col = c.get("task") + "/" + c.get("labels");
      best.merge(col, (Double) c.get("lastMean"), Math::min);
    }
    for (Entry e : entries) {
      StringBuilder line = new StringBuilder(String.format("%-22s", e.name()));
      for (String col : columns) {
        for (Map<String, Object> c : cells) {
          if (c.get("algorithm").equals(e.name())
              && col.equals(c.get("task") + "/" + c.get("labels"))) {
            double m = (Double) c.get("lastMean");
            line.append(
                String.format(
                    Locale.ROOT,
                    " | %s%.4f ± %.4f (%.4f)",
                    m == best.get(col) ? "*" : " ",
                    m,
                    (Double) c.get("lastSd"),
                    (Double) c.get("averageMean")));
          }
        }
      }
      out.println(line);
    }
  }

  private static double mean(double[] x) {
    return Arrays.stream(x).average().orElse(Double.NaN);
  }

  private static double sd(double[] x) {
    if (x.length < 2) {
      return 0.0;
    }
    double m = mean(x);
    double s = 0;
    for (double v : x) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / (x.length - 1));
  }
}
