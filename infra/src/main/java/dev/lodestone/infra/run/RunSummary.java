package dev.lodestone.infra.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of {@code lodestone run}: the last line of its {@code --json} output and the core of
 * the report's {@code summary.json}.
 *
 * @param task the task specification
 * @param algorithm the learner's algorithm id
 * @param steps learner steps taken
 * @param policyVersion the last published policy version (-1: none)
 * @param magnetVersion the last published magnet version (-1: none)
 * @param exploitability exact exploitability of the last evaluated version (NaN: none evaluated)
 * @param strategies that version's probability of each strategy
 * @param nash the exact Nash equilibrium of the game
 * @param groupsPerSecond labelled groups the learner consumed per second
 * @param meanStalenessVersions mean staleness of the consumed groups, in policy versions
 * @param sha256 the lower-case hex SHA-256 of the last published policy version's weights (null:
 *     none): two runs with equal values ended with equal weights
 */
public record RunSummary(
    String task,
    String algorithm,
    long steps,
    long policyVersion,
    long magnetVersion,
    double exploitability,
    Map<String, Double> strategies,
    Map<String, Double> nash,
    double groupsPerSecond,
    double meanStalenessVersions,
    String sha256) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Copies the maps. */
  public RunSummary {
    strategies = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(strategies));
    nash = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nash));
  }

  /** The summary as a JSON object, keys in the documented order; NaN and infinities as null. */
  public ObjectNode toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("task", task);
    o.put("algorithm", algorithm);
    o.put("steps", steps);
    o.put("policyVersion", policyVersion);
    o.put("magnetVersion", magnetVersion);
    o.set("exploitability", jsonNumber(exploitability));
    o.set("strategies", map(strategies));
    o.set("nash", map(nash));
    o.set("groupsPerSecond", jsonNumber(groupsPerSecond));
    o.set("meanStalenessVersions", jsonNumber(meanStalenessVersions));
    if (sha256 == null) {
      o.putNull("sha256");
    } else {
      o.put("sha256", sha256);
    }
    return o;
  }

  /** One line of JSON. */
  public String toJsonLine() {
    return toJson().toString();
  }

  /** A JSON number, or null for NaN and infinities. */
  public static JsonNode jsonNumber(double x) {
    return Double.isFinite(x)
        ? JSON.getNodeFactory().numberNode(x)
        : JSON.getNodeFactory().nullNode();
  }

  static ObjectNode map(Map<String, Double> m) {
    ObjectNode o = JSON.createObjectNode();
    m.forEach((k, v) -> o.set(k, jsonNumber(v)));
    return o;
  }
}
