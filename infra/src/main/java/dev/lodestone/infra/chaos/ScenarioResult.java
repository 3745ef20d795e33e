package dev.lodestone.infra.chaos;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one chaos scenario counted.
 *
 * @param scenario its name, e.g. {@code learner}
 * @param faults what was done to the pipeline, e.g. {@code 10 x SIGKILL of the learner}
 * @param expected the records that had to arrive (sample groups, steps, dead letters)
 * @param delivered those that arrived
 * @param lost {@code expected - delivered}, the ones missing
 * @param duplicated records that arrived more than once
 * @param details further counts and times, by name
 * @param passed nothing lost, nothing twice, and the scenario's own check held
 * @param check the scenario's own check, in words, with its outcome
 */
public record ScenarioResult(
    String scenario,
    String faults,
    long expected,
    long delivered,
    long lost,
    long duplicated,
    Map<String, Object> details,
    boolean passed,
    String check) {

  /** Keeps the details in their order. */
  public ScenarioResult {
    details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /** This result with one more detail. */
  public ScenarioResult withDetail(String name, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(details);
    more.put(name, value);
    return new ScenarioResult(
        scenario, faults, expected, delivered, lost, duplicated, more, passed, check);
  }
}
