package dev.lodestone.infra.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The chaos benchmark ({@code lodestone bench chaos}): each scenario starts a local stack of its
 * own in this process and runs the pipeline's components as separate {@code lodestone} processes
 * ({@link LodestoneProcess}), does its faults, and counts from the topics what had to arrive, what
 * arrived, what was lost and what came twice ({@link ScenarioResult}). A scenario that cannot
 * finish (a component that does not come back) is reported as failed with the reason.
 */
public final class Chaos {
  /** The scenarios, in the order they run. */
  public static final List<String> ALL =
      List.of(
          LearnerScenario.NAME,
          ComponentScenario.NAME,
          OutageScenario.NAME,
          BrokersScenario.NAME,
          BadInputScenario.NAME,
          BadRequestsScenario.NAME,
          NumericalScenario.NAME);

  private Chaos() {}

  /** Runs the named scenarios, each in a directory of its own under {@code settings.dir()}. */
  public static List<ScenarioResult> run(
      List<String> names, ChaosSettings settings, Consumer<String> progress) throws Exception {
    List<ScenarioResult> results = new ArrayList<>();
    for (String name : names) {
      Path dir = Files.createDirectories(settings.dir().resolve(name));
      progress.accept(name + ": starting");
      long t0 = System.nanoTime();
      ScenarioResult r;
      try {
        r =
            switch (name) {
              case LearnerScenario.NAME -> LearnerScenario.run(settings, dir, progress);
              case ComponentScenario.NAME -> ComponentScenario.run(settings, dir, progress);
              case OutageScenario.NAME -> OutageScenario.run(settings, dir, progress);
              case BrokersScenario.NAME -> BrokersScenario.run(settings, dir, progress);
              case BadInputScenario.NAME -> BadInputScenario.run(settings, dir, progress);
              case BadRequestsScenario.NAME -> BadRequestsScenario.run(settings, dir, progress);
              case NumericalScenario.NAME -> NumericalScenario.run(settings, dir, progress);
              default -> throw new IllegalArgumentException("unknown scenario " + name);
            };
      } catch (IllegalStateException e) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("error", e.getMessage());
        r =
            new ScenarioResult(
                name, "-", 0, 0, 0, 0, details, false, "did not finish: " + firstLine(e));
      }
      r = r.withDetail("seconds", Math.round((System.nanoTime() - t0) / 1e9));
      progress.accept(name + ": " + (r.passed() ? "passed" : "FAILED") + " (" + r.check() + ")");
      results.add(r);
    }
    return results;
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
