package dev.lodestone.infra.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.games.Games;
import dev.lodestone.games.InvalidGameException;
import dev.lodestone.games.NashSolver;
import dev.lodestone.games.PreferenceGame;
import dev.lodestone.games.tabular.Algorithm;
import dev.lodestone.games.tabular.SolverRunner;
import dev.lodestone.games.tabular.SolverTrace;
import dev.lodestone.games.tabular.Starts;
import dev.lodestone.games.tabular.TabularConfig;
import dev.lodestone.games.tabular.TabularSolver;
import dev.lodestone.infra.options.TabularOptions;
import dev.lodestone.infra.report.GapPlots;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lodestone solve}: runs one tabular solver on one game, exactly, and reports the duality
 * gap of its last iterate against the game's LP Nash equilibrium.
 *
 * <p>With {@code --json} it prints one JSON object: {@code game}, {@code algorithm}, {@code
 * iterations}, {@code finalGap}, {@code policy} (the last iterate), {@code nash} (from the LP),
 * {@code itersTo} ({@code {"1e-3": n|null, "1e-6": n|null}}: iterations until the last iterate's
 * gap settles at or below the threshold for the rest of the run), and also {@code strategies} and
 * {@code config}; OMD adds {@code averageGap}, {@code averageItersTo} and {@code averagePolicy}.
 */
@Command(
    name = "solve",
    mixinStandardHelpOptions = true,
    description = {
      "Run a tabular solver on a preference game and measure its duality gap exactly.",
      "Games: rps, perturbed-rps, condorcet, random:N:SEED (or random:N with --seed), game:PATH.",
      "Algorithms: mpo (the paper's), mpo-path and mpo-staged (MPO solvers of our own), mmd, omd,"
          + " onpo, nash-md, sppo."
    })
public final class SolveCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--game",
      required = true,
      paramLabel = "NAME|game:PATH",
      description =
          "rps, perturbed-rps, condorcet, random:N:SEED, random:N (with --seed), game:PATH")
  String game;

  @Option(
      names = "--algo",
      defaultValue = "mpo",
      paramLabel = "ALGO",
      description =
          "mpo, mpo-path, mpo-staged, mmd, omd, onpo, nash-md or sppo (default: ${DEFAULT-VALUE})")
  String algo;

  @Option(
      names = "--iters",
      defaultValue = "20000",
      paramLabel = "N",
      description = "number of updates (default: ${DEFAULT-VALUE})")
  int iters;

  @Option(
      names = "--start",
      paramLabel = "initial|uniform|random",
      description =
          "start policy: the game's initial distribution (default when it has one), uniform, "
              + "or random (flat Dirichlet from --seed)")
  String start;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description = "seed of --game random:N and of --start random")
  Long seed;

  @CommandLine.Mixin TabularOptions tabular;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Option(names = "--plot", paramLabel = "FILE.png", description = "write a PNG of log gap")
  Path plot;

  @Override
  public Integer call() throws IOException {
    if (iters < 0 || iters > SolverRunner.MAX_ITERATIONS) {
      throw usage("--iters must be in [0, " + SolverRunner.MAX_ITERATIONS + "], got " + iters);
    }
    if (plot != null && !plot.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      throw usage("--plot must name a .png file, got " + plot);
    }
    boolean seedUsed = false;
    String gameSpec = game;
    if (gameSpec.strip().matches("random:[^:]*")) {
      if (seed == null) {
        throw usage("--game " + game + " needs a seed: random:N:SEED, or --seed S");
      }
      gameSpec = gameSpec.strip() + ":" + seed;
      seedUsed = true;
    }
    PreferenceGame g;
    try {
      g = Games.parse(gameSpec);
    } catch (InvalidGameException e) {
      throw usage(e.getMessage());
    }
    Algorithm algorithm;
    try {
      algorithm = Algorithm.fromCliName(algo);
    } catch (IllegalArgumentException e) {
      throw usage("--algo: " + e.getMessage());
    }
    TabularConfig config = tabular.config(algorithm, spec);
    String startName = start != null ? start : g.initial().isPresent() ? "initial" : "uniform";
    double[] startPolicy;
    switch (startName) {
      case "initial" -> {
        startPolicy =
            g.initial()
                .orElseThrow(
                    () -> usage("--start initial: game '" + g.name() + "' has no initial"));
      }
      case "uniform" -> startPolicy = Starts.uniform(g.size());
      case "random" -> {
        startPolicy = Starts.dirichlet(g.size(), seed == null ? 0L : seed);
        seedUsed = true;
      }
      default -> throw usage("--start must be initial, uniform or random, got '" + start + "'");
    }
    if (seed != null && !seedUsed) {
      throw usage("--seed is used only by --game random:N and --start random");
    }

    TabularSolver solver;
    try {
      solver = algorithm.create(g, startPolicy, config);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    SolverTrace trace = SolverRunner.run(solver, g, iters);
    double[] nash = NashSolver.solve(g);

    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(toJson(g, algorithm, config, startName, trace, nash));
    } else {
      printText(out, g, algorithm, config, startName, trace, nash);
    }
    out.flush();
    if (plot != null) {
      Map<String, double[]> series = new LinkedHashMap<>();
      series.put(algorithm.cliName() + " (last iterate)", trace.gaps());
      if (trace.hasAverage()) {
        series.put(algorithm.cliName() + " (average iterate)", trace.averageGaps());
      }
      GapPlots.save(plot, g.name() + ": " + algorithm.cliName(), series);
    }
    return 0;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  private static String toJson(
      PreferenceGame g,
      Algorithm a,
      TabularConfig c,
      String startName,
      SolverTrace trace,
      double[] nash)
      throws JsonProcessingException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("game", g.name());
    m.put("algorithm", a.cliName());
    m.put("iterations", trace.iterations());
    m.put("finalGap", trace.finalGap());
    m.put("policy", trace.policy());
    m.put("nash", nash);
    m.put("itersTo", trace.itersToThresholds(false));
    if (trace.hasAverage()) {
      m.put("averageGap", trace.finalAverageGap());
      m.put("averageItersTo", trace.itersToThresholds(true));
      m.put("averagePolicy", trace.averagePolicy());
    }
    m.put("strategies", g.strategies());
    m.put("start", startName);
    m.put("config", c.describe(a));
    return new ObjectMapper().writeValueAsString(m);
  }

  private static void printText(
      PrintWriter out,
      PreferenceGame g,
      Algorithm a,
      TabularConfig c,
      String startName,
      SolverTrace trace,
      double[] nash) {
    out.printf(
        Locale.ROOT, "game        %s (%d strategies), start %s%n", g.name(), g.size(), startName);
    out.printf(Locale.ROOT, "algorithm   %s %s%n", a.cliName(), c.describe(a));
    out.printf(Locale.ROOT, "iterations  %d%n", trace.iterations());
    out.printf(Locale.ROOT, "final gap   %.3e (last iterate)%n", trace.finalGap());
    out.printf(Locale.ROOT, "iters to    %s%n", itersText(trace.itersToThresholds(false)));
    if (trace.hasAverage()) {
      out.printf(Locale.ROOT, "average gap %.3e (average iterate)%n", trace.finalAverageGap());
      out.printf(Locale.ROOT, "avg iters   %s%n", itersText(trace.itersToThresholds(true)));
    }
    int width = 8;
    for (String s : g.strategies()) {
      width = Math.max(width, s.length());
    }
    out.printf(Locale.ROOT, "%-" + width + "s  %10s  %10s%n", "strategy", "policy", "nash");
    double[] p = trace.policy();
    for (int i = 0; i < g.size(); i++) {
      out.printf(
          Locale.ROOT, "%-" + width + "s  %10.6f  %10.6f%n", g.strategies().get(i), p[i], nash[i]);
    }
  }

  private static String itersText(Map<String, Object> m) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Object> e : m.entrySet()) {
      parts.add(e.getKey() + ": " + (e.getValue() == null ? "not reached" : e.getValue()));
    }
    return String.join("   ", parts);
  }
}
