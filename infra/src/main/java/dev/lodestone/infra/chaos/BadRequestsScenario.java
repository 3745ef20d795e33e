package dev.lodestone.infra.chaos;

import dev.lodestone.stack.registry.BadRequests;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Scenario {@code bad-requests}: the schema registry of a local stack gets the bad requests of
 * {@link BadRequests} (malformed and oversize bodies, wrong content types, path and query tricks,
 * unknown routes and methods). Each must get a 4xx with an error body, and the registry must hold
 * what it held before. The registry is the one HTTP service of the pipeline.
 */
final class BadRequestsScenario {
  static final String NAME = "bad-requests";

  private BadRequestsScenario() {}

  static ScenarioResult run(ChaosSettings s, Path dir, Consumer<String> progress) throws Exception {
    try (ChaosStack stack = new ChaosStack(dir.resolve("stack"))) {
      String url = stack.cluster().registryUrl().toString();
      progress.accept(NAME + ": the registry at " + url);
      BadRequests.Report r = BadRequests.run(url);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("wrongAnswers", r.wrong());
      details.put("registryUnchanged", r.unchanged());
      long answered = r.sent() - r.wrong().size();
      return new ScenarioResult(
          NAME,
          r.sent() + " bad requests to the schema registry",
          r.sent(),
          answered,
          r.sent() - answered,
          0,
          details,
          r.wrong().isEmpty() && r.unchanged(),
          answered
              + " answered with a 4xx and an error body; the registry "
              + (r.unchanged() ? "holds what it held" : "CHANGED"));
    }
  }
}
