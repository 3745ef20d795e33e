package dev.lodestone.infra.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lodestone.games.Games;
import dev.lodestone.games.PreferenceGame;
import dev.lodestone.games.tabular.Algorithm;
import dev.lodestone.games.tabular.SolverRunner;
import dev.lodestone.games.tabular.SolverTrace;
import dev.lodestone.games.tabular.TabularConfig;
import dev.lodestone.games.tabular.TabularSolver;
import dev.lodestone.games.tabular.Tuning;
import dev.lodestone.infra.options.TabularOptions;
import dev.lodestone.infra.report.GapPlots;
import dev.lodestone.infra.report.Table;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lodestone bench games}: every tabular algorithm, with its default hyperparameters, on a
 * fixed suite of games, from each game's skewed initial distribution. Prints a table of the final
 * gap and the iterations until the gap settles below 1e-3 and 1e-6, checks the targets
 * against the measurements, and with {@code --plot DIR} writes one PNG of log gap against iteration
 * per game.
 */
@Command(
    name = "games",
    mixinStandardHelpOptions = true,
    description = {
      "Every tabular algorithm, default hyperparameters, on rps, perturbed-rps, condorcet and"
          + " random games of 5, 10, 30 and 50 strategies (seeds 1, 2, 3): final gap, iterations"
          + " to 1e-3 and 1e-6, the targets, and optional PNG plots of log gap against"
          + " iteration."
    })
public final class BenchGamesCommand implements Callable<Integer> {

  /** The suite, in table order. */
  static final List<String> SUITE = suite();

  private static List<String> suite() {
    List<String> s = new ArrayList<>(List.of("rps", "perturbed-rps", "condorcet"));
    for (int n : new int[] {5, 10, 30, 50}) {
      for (int seed = 1; seed <= 3; seed++) {
        s.add("random:" + n + ":" + seed);
      }
    }
    return List.copyOf(s);
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Option(names = "--plot", paramLabel = "DIR", description = "write one PNG per game into DIR")
  Path plotDir;

  @Option(
      names = "--iters",
      defaultValue = "20000",
      paramLabel = "N",
      description = "updates per run (default: ${DEFAULT-VALUE})")
  int iters;

  @Option(
      names = "--games",
      split = ",",
      paramLabel = "SPEC",
      description = "run only these games (default: the whole suite)")
  List<String> games;

  @Option(
      names = "--algo",
      split = ",",
      paramLabel = "ALGO",
      description = "run only these algorithms (default: all)")
  List<String> algos;

  @CommandLine.Mixin TabularOptions tabular;

  /** One measured run. */
  record Row(
      String game,
      String algorithm,
      String iterate,
      SolverTrace trace,
      boolean average,
      long ms,
      Starts starts) {

    double finalGap() {
      return average ? trace.finalAverageGap() : trace.finalGap();
    }

    OptionalInt itersTo(double threshold) {
      return average ? trace.averageItersTo(threshold) : trace.itersTo(threshold);
    }

    double gapAt(int t) {
      return average ? trace.averageGaps()[t] : trace.gaps()[t];
    }

    String label() {
      return average ? algorithm + " (avg)" : algorithm;
    }
  }

  /**
   * Results from random starts: how many of them settled at or below 1e-6, the median iterations of
   * those that did, and the worst final gap.
   */
  record Starts(int count, int settled, Integer medianItersTo, double worstFinalGap) {}

  @Option(
      names = "--random-starts",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "also run every algorithm from N random starts per game (flat Dirichlet, seeds 1..N)"
              + " and report how many settle below 1e-6 (default: ${DEFAULT-VALUE})")
  int randomStarts;

  @Option(
      names = "--tune",
      description =
          "give every algorithm the same tuning budget first: the best of "
              + Tuning.BUDGET
              + " settings of its own parameters on games outside the suite (random:5:101,"
              + " random:5:102, random:10:101, random:10:102, random:30:101), then run the suite"
              + " with it")
  boolean tune;

  private Map<Algorithm, TabularConfig> configs;
  private final Map<Algorithm, Tuning.Result> tuned = new LinkedHashMap<>();

  private Starts fromRandomStarts(
      PreferenceGame g, Algorithm a, TabularConfig config, boolean average) {
    int settled = 0;
    double worst = 0.0;
    List<Integer> its = new ArrayList<>();
    for (int seed = 1; seed <= randomStarts; seed++) {
      double[] start = dev.lodestone.games.tabular.Starts.dirichlet(g.size(), seed);
      SolverTrace t = SolverRunner.run(a.create(g, start, config), g, iters);
      OptionalInt n = average ? t.averageItersTo(1e-6) : t.itersTo(1e-6);
      if (n.isPresent()) {
        settled++;
        its.add(n.getAsInt());
      }
      worst = Math.max(worst, average ? t.finalAverageGap() : t.finalGap());
    }
    its.sort(null);
    return new Starts(randomStarts, settled, its.isEmpty() ? null : its.get(its.size() / 2), worst);
  }

  @Override
  public Integer call() throws IOException {
    if (randomStarts < 0 || randomStarts > 10_000) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--random-starts must be in [0, 10000], got " + randomStarts);
    }
    if (iters < 1 || iters > SolverRunner.MAX_ITERATIONS) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--iters must be in [1, " + SolverRunner.MAX_ITERATIONS + "], got " + iters);
    }
    List<String> specs = games == null ? SUITE : games;
    List<PreferenceGame> parsed = new ArrayList<>();
    for (String s : specs) {
      try {
        parsed.add(Games.parse(s));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    List<Algorithm> algorithms = new ArrayList<>();
    if (algos == null) {
      algorithms.addAll(List.of(Algorithm.values()));
    } else {
      for (String a : algos) {
        try {
          algorithms.add(Algorithm.fromCliName(a));
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--algo: " + e.getMessage());
        }
      }
    }
    if (tabular.any() && algorithms.size() != 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "hyperparameter options need exactly one --algo");
    }
    if (tune && tabular.any()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--tune chooses the settings itself: give no hyperparameter options");
    }
    Map<Algorithm, TabularConfig> configs = new LinkedHashMap<>();
    for (Algorithm a : algorithms) {
      if (tune) {
        Tuning.Result r = Tuning.tune(a, iters);
        tuned.put(a, r);
        configs.put(a, r.best());
      } else {
        configs.put(a, tabular.config(a, spec));
      }
    }
    List<Row> rows = new ArrayList<>();
    for (PreferenceGame g : parsed) {
      double[] start = g.initial().orElse(dev.lodestone.games.tabular.Starts.uniform(g.size()));
      List<Row> gameRows = new ArrayList<>();
      for (Map.Entry<Algorithm, TabularConfig> e : configs.entrySet()) {
        Algorithm a = e.getKey();
        long t0 = System.nanoTime();
        TabularSolver solver;
        try {
          solver = a.create(g, start, e.getValue());
        } catch (IllegalArgumentException ex) {
          throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }
        SolverTrace trace = SolverRunner.run(solver, g, iters);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        gameRows.add(
            new Row(
                g.name(),
                a.cliName(),
                "last",
                trace,
                false,
                ms,
                randomStarts > 0 ? fromRandomStarts(g, a, e.getValue(), false) : null));
        if (trace.hasAverage()) {
          gameRows.add(
              new Row(
                  g.name(),
                  a.cliName(),
                  "average",
                  trace,
                  true,
                  ms,
                  randomStarts > 0 ? fromRandomStarts(g, a, e.getValue(), true) : null));
        }
      }
      rows.addAll(gameRows);
      if (plotDir != null) {
        Map<String, double[]> series = new LinkedHashMap<>();
        for (Row r : gameRows) {
          series.put(r.label(), r.average ? r.trace.averageGaps() : r.trace.gaps());
        }
        GapPlots.save(
            plotDir.resolve("games-" + g.name().replace(':', '-') + ".png"),
            g.name()
                + " ("
                + g.size()
                + " strategies): duality gap"
                + (tune
                    ? ", tuned hyperparameters"
                    : tabular.any() ? "" : ", default hyperparameters"),
            series);
      }
    }
    Map<String, Object> targets = targets(rows);
    this.configs = configs;
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(toJson(rows, targets));
    } else {
      printTable(out, rows, targets);
    }
    out.flush();
    return 0;
  }

  private String toJson(List<Row> rows, Map<String, Object> targets) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("iterations", iters);
    Map<String, Object> used = new LinkedHashMap<>();
    for (Map.Entry<Algorithm, TabularConfig> e : configs.entrySet()) {
      used.put(e.getKey().cliName(), e.getValue().describe(e.getKey()));
    }
    m.put("config", used);
    if (tune) {
      Map<String, Object> t = new LinkedHashMap<>();
      for (Map.Entry<Algorithm, Tuning.Result> e : tuned.entrySet()) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("meanLog10Gap", e.getValue().score());
        r.put("gridMeanLog10Gaps", e.getValue().scores());
        t.put(e.getKey().cliName(), r);
      }
      m.put("tuning", Map.of("games", Tuning.GAMES, "budget", Tuning.BUDGET, "results", t));
    }
    List<Map<String, Object>> results = new ArrayList<>();
    for (Row r : rows) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("game", r.game);
      o.put("algorithm", r.algorithm);
      o.put("iterate", r.iterate);
      o.put("finalGap", r.finalGap());
      o.put("itersTo", r.trace.itersToThresholds(r.average));
      o.put("ms", r.ms);
      if (r.starts != null) {
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("count", r.starts.count());
        st.put("settled1e-6", r.starts.settled());
        st.put("medianItersTo1e-6", r.starts.medianItersTo());
        st.put("worstFinalGap", r.starts.worstFinalGap());
        o.put("randomStarts", st);
      }
      results.add(o);
    }
    m.put("results", results);
    m.put("targets", targets);
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
  }

  private void printTable(PrintWriter out, List<Row> rows, Map<String, Object> targets) {
    out.printf(
        Locale.ROOT,
        "Tabular solvers, %d iterations from each game's initial distribution, %s.%n",
        iters,
        tune
            ? "each tuned first: the best of "
                + Tuning.BUDGET
                + " settings by mean log10 final gap on "
                + String.join(", ", Tuning.GAMES)
            : tabular.any() ? "the hyperparameters given" : "default hyperparameters");
    for (Map.Entry<Algorithm, TabularConfig> e : configs.entrySet()) {
      Tuning.Result r = tuned.get(e.getKey());
      out.printf(
          Locale.ROOT,
          "  %-10s %s%s%n",
          e.getKey().cliName(),
          e.getValue().describe(e.getKey()),
          r == null ? "" : String.format(Locale.ROOT, " (tuning score %.2f)", r.score()));
    }
    out.printf(
        Locale.ROOT,
        "iters to X: iterations until the gap stays <= X to the end of the run (- = never).%n%n");
    boolean starts = randomStarts > 0;
    Table table =
        starts
            ? Table.of(
                    "game",
                    "algorithm",
                    "final gap",
                    "iters to 1e-3",
                    "iters to 1e-6",
                    "ms",
                    randomStarts + " starts: 1e-6",
                    "median iters",
                    "worst gap")
                .right(2, 3, 4, 5, 6, 7, 8)
            : Table.of("game", "algorithm", "final gap", "iters to 1e-3", "iters to 1e-6", "ms")
                .right(2, 3, 4, 5);
    for (Row r : rows) {
      List<Object> cells = new ArrayList<>();
      cells.add(r.game);
      cells.add(r.label());
      cells.add(String.format(Locale.ROOT, "%.2e", r.finalGap()));
      cells.add(text(r.itersTo(1e-3)));
      cells.add(text(r.itersTo(1e-6)));
      cells.add(r.average ? "" : String.valueOf(r.ms));
      if (starts) {
        cells.add(r.starts.settled() + "/" + r.starts.count());
        cells.add(r.starts.medianItersTo());
        cells.add(String.format(Locale.ROOT, "%.2e", r.starts.worstFinalGap()));
      }
      table.row(cells.toArray());
    }
    table.printMarkdown(out);
    out.println();
    out.println("Targets");
    for (Map.Entry<String, Object> e : targets.entrySet()) {
      out.println("- " + e.getKey() + ": " + e.getValue());
    }
  }

  private static String text(OptionalInt n) {
    return n.isPresent() ? String.valueOf(n.getAsInt()) : "-";
  }

  /** The targets, each checked against the measured rows. */
  private Map<String, Object> targets(List<Row> rows) {
    Map<String, Object> t = new LinkedHashMap<>();
    List<String> met = new ArrayList<>();
    List<String> missed = new ArrayList<>();
    for (Row r : rows) {
      if (r.algorithm.equals("mpo") && small(r.game)) {
        OptionalInt n = r.itersTo(1e-6);
        String entry = r.game + " " + text(n);
        if (n.isPresent() && n.getAsInt() <= 2000 && iters >= 2000) {
          met.add(entry);
        } else {
          missed.add(entry);
        }
      }
    }
    t.put(
        "mpo gap <= 1e-6 within 2000 (rps, perturbed-rps, condorcet, random N <= 10)",
        "met on " + met.size() + " of " + (met.size() + missed.size()) + missed(missed));
    List<String> met50 = new ArrayList<>();
    List<String> missed50 = new ArrayList<>();
    for (Row r : rows) {
      if (r.algorithm.equals("mpo") && r.game.startsWith("random:50:")) {
        OptionalInt n = r.itersTo(1e-4);
        String entry =
            r.game
                + " "
                + text(n)
                + String.format(Locale.ROOT, " (gap %.1e)", r.gapAt(Math.min(iters, 20000)));
        if (n.isPresent() && n.getAsInt() <= 20000 && iters >= 20000) {
          met50.add(entry);
        } else {
          missed50.add(entry);
        }
      }
    }
    if (met.size() + missed.size() == 0) {
      t.remove("mpo gap <= 1e-6 within 2000 (rps, perturbed-rps, condorcet, random N <= 10)");
    }
    if (met50.size() + missed50.size() > 0) {
      t.put(
          "mpo gap <= 1e-4 within 20000 (random N = 50)",
          "met on "
              + met50.size()
              + " of "
              + (met50.size() + missed50.size())
              + (met50.isEmpty() ? "" : " [" + String.join("; ", met50) + "]")
              + missed(missed50));
    }
    List<String> omd = new ArrayList<>();
    int averageBelow = 0;
    int averageFalling = 0;
    int games = 0;
    for (Row r : rows) {
      if (r.algorithm.equals("omd") && !r.average) {
        Row avg = find(rows, r.game, "omd", true);
        games++;
        if (avg.finalGap() < r.finalGap()) {
          averageBelow++;
        }
        if (avg.finalGap() < avg.gapAt(iters / 2)) {
          averageFalling++;
        }
        omd.add(
            String.format(
                Locale.ROOT,
                "%s last %.1e, avg %.1e -> %.1e",
                r.game,
                r.finalGap(),
                avg.gapAt(iters / 2),
                avg.finalGap()));
      }
    }
    if (games == 0) {
      return compareWithPeers(rows, t);
    }
    t.put(
        "omd: last iterate vs average iterate (average at half the run -> at the end)",
        "average below last on "
            + averageBelow
            + " of "
            + games
            + " games, average still falling on "
            + averageFalling
            + " ["
            + String.join("; ", omd)
            + "]");
    List<String> mmd = new ArrayList<>();
    for (Row r : rows) {
      if (r.algorithm.equals("mmd")) {
        mmd.add(
            String.format(
                Locale.ROOT, "%s %.2e -> %.2e", r.game, r.gapAt(iters / 2), r.finalGap()));
      }
    }
    if (!mmd.isEmpty()) {
      t.put(
          "mmd (fixed magnet): gap at half the run -> at the end",
          "[" + String.join("; ", mmd) + "]");
    }
    return compareWithPeers(rows, t);
  }

  private Map<String, Object> compareWithPeers(List<Row> rows, Map<String, Object> t) {
    boolean haveMpo = rows.stream().anyMatch(r -> r.algorithm.equals("mpo"));
    boolean havePeer = rows.stream().anyMatch(r -> !r.algorithm.startsWith("mpo"));
    if (!haveMpo || !havePeer) {
      return t;
    }
    List<String> cmp = new ArrayList<>();
    int better = 0;
    int withinTwice = 0;
    int compared = 0;
    for (String game : gamesOf(rows)) {
      Row mpo = find(rows, game, "mpo", false);
      OptionalInt m = mpo.itersTo(1e-6);
      int best = Integer.MAX_VALUE;
      String bestName = "none";
      for (Row r : rows) {
        if (r.game.equals(game) && !r.algorithm.startsWith("mpo")) { // peers: not the MPO family
          OptionalInt n = r.itersTo(1e-6);
          if (n.isPresent() && n.getAsInt() < best) {
            best = n.getAsInt();
            bestName = r.label();
          }
        }
      }
      compared++;
      String verdict;
      if (!m.isPresent()) {
        verdict = best == Integer.MAX_VALUE ? "neither reached" : "worse";
        if (best == Integer.MAX_VALUE) {
          withinTwice++;
        }
      } else if (best == Integer.MAX_VALUE || m.getAsInt() < best) {
        verdict = "better";
        better++;
        withinTwice++;
      } else if (m.getAsInt() <= 2 * best) {
        verdict = "within 2x";
        withinTwice++;
      } else {
        verdict = "worse than 2x";
      }
      cmp.add(
          game
              + " mpo "
              + text(m)
              + " vs "
              + bestName
              + " "
              + (best == Integer.MAX_VALUE ? "-" : String.valueOf(best))
              + " ("
              + verdict
              + ")");
    }
    t.put(
        "mpo iters to 1e-6 vs best peer",
        "better on "
            + better
            + ", no worse than twice on "
            + withinTwice
            + ", of "
            + compared
            + " games ["
            + String.join("; ", cmp)
            + "]");
    return t;
  }

  private static String missed(List<String> missed) {
    return missed.isEmpty() ? "" : " (missed: " + String.join("; ", missed) + ")";
  }

  private static boolean small(String game) {
    return game.equals("rps")
        || game.equals("perturbed-rps")
        || game.equals("condorcet")
        || game.startsWith("random:5:")
        || game.startsWith("random:10:");
  }

  private static List<String> gamesOf(List<Row> rows) {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      if (!out.contains(r.game)) {
        out.add(r.game);
      }
    }
    return out;
  }

  private static Row find(List<Row> rows, String game, String algorithm, boolean average) {
    for (Row r : rows) {
      if (r.game.equals(game) && r.algorithm.equals(algorithm) && r.average == average) {
        return r;
      }
    }
    throw new IllegalStateException("no row for " + game + " " + algorithm);
  }
}
