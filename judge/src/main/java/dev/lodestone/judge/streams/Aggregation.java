package dev.lodestone.judge.streams;

import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabelProvenance;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How the label join combines the labels of one pair from several judges into the pair's
 * probability in {@code labeled}:
 *
 * <ul>
 *   <li>{@code mean}: the mean of the judges' P(i over j) (the default);
 *   <li>{@code majority}: a vote: a judge with P above 1/2 votes for i, below 1/2 for j, at 1/2
 *       abstains; the pair gets 1 if i has more votes, 0 if j has, 1/2 on a tie;
 *   <li>{@code weighted:KIND=W,...}: the mean weighted by judge kind ({@code GAME_ORACLE}, {@code
 *       HUMAN}, {@code LLM}, {@code PREFERENCE_MODEL}, {@code OTHER}; case does not matter), each
 *       weight positive; a kind left out weighs 1.
 * </ul>
 *
 * The labels are combined in the order of their judge ids, so the result does not depend on the
 * order they arrived in.
 *
 * @param rule the rule
 * @param weights the weight of each kind (every kind present; all 1 except for {@code weighted})
 */
public record Aggregation(Rule rule, Map<JudgeKind, Double> weights) {

  /** The rules. */
  public enum Rule {
    MEAN,
    MAJORITY,
    WEIGHTED
  }

  /** The mean of the probabilities. */
  public static final Aggregation MEAN = new Aggregation(Rule.MEAN, unitWeights());

  /** The majority vote. */
  public static final Aggregation MAJORITY = new Aggregation(Rule.MAJORITY, unitWeights());

  public Aggregation {
    Objects.requireNonNull(rule, "rule");
    EnumMap<JudgeKind, Double> w = unitWeights();
    w.putAll(Objects.requireNonNull(weights, "weights"));
    for (Map.Entry<JudgeKind, Double> e : w.entrySet()) {
      double v = e.getValue();
      if (!(v > 0.0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(
            "the weight of judge kind " + e.getKey() + " must be a positive number, got " + v);
      }
    }
    weights = Collections.unmodifiableMap(w);
  }

  private static EnumMap<JudgeKind, Double> unitWeights() {
    EnumMap<JudgeKind, Double> w = new EnumMap<>(JudgeKind.class);
    for (JudgeKind k : JudgeKind.values()) {
      w.put(k, 1.0);
    }
    return w;
  }

  /**
   * Parses {@code mean}, {@code majority} or {@code weighted:KIND=W,...}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Aggregation parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    String s = spec.strip();
    if (s.equalsIgnoreCase("mean")) {
      return MEAN;
    }
    if (s.equalsIgnoreCase("majority")) {
      return MAJORITY;
    }
    String prefix = "weighted:";
    if (!s.regionMatches(true, 0, prefix, 0, prefix.length())) {
      throw new IllegalArgumentException(
          "aggregation must be mean, majority or weighted:KIND=W,..., got '" + spec + "'");
    }
    EnumMap<JudgeKind, Double> w = new EnumMap<>(JudgeKind.class);
    for (String part : s.substring(prefix.length()).split(",")) {
      String[] kv = part.split("=", -1);
      if (kv.length != 2) {
        throw new IllegalArgumentException(
            "aggregation weight '" + part.strip() + "' is not KIND=W (in '" + spec + "')");
      }
      JudgeKind kind;
      try {
        kind = JudgeKind.valueOf(kv[0].strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown judge kind '"
                + kv[0].strip()
                + "' in aggregation '"
                + spec
                + "'; kinds: "
                + List.of(JudgeKind.values()),
            e);
      }
      try {
        w.put(kind, Double.parseDouble(kv[1].strip()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "the weight of " + kind + " is not a number: '" + kv[1].strip() + "'", e);
      }
    }
    return new Aggregation(Rule.WEIGHTED, w);
  }

  /** The canonical spelling, written into every {@code LabeledGroup.aggregation}. */
  public String id() {
    return switch (rule) {
      case MEAN -> "mean";
      case MAJORITY -> "majority";
      case WEIGHTED ->
          "weighted:"
              + weights.entrySet().stream()
                  .map(e -> e.getKey().name() + "=" + e.getValue())
                  .collect(Collectors.joining(","));
    };
  }

  /**
   * The pair's probability from its labels.
   *
   * @param labels at least one label, in the order of their judge ids
   */
  public double combine(List<LabelProvenance> labels) {
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("no labels to aggregate");
    }
    switch (rule) {
      case MAJORITY -> {
        int votes = 0;
        for (LabelProvenance l : labels) {
          votes += Integer.signum(Double.compare(l.getProbability(), 0.5));
        }
        return votes > 0 ? 1.0 : votes < 0 ? 0.0 : 0.5;
      }
      default -> {
        double sum = 0;
        double total = 0;
        for (LabelProvenance l : labels) {
          double w = weights.get(l.getJudgeKind());
          sum += w * l.getProbability();
          total += w;
        }
        return Math.min(1.0, Math.max(0.0, sum / total));
      }
    }
  }

  /** Whether the labels disagree: one prefers i (above 1/2) where another prefers j (below). */
  public static boolean disagree(List<LabelProvenance> labels) {
    boolean i = false;
    boolean j = false;
    for (LabelProvenance l : labels) {
      i |= l.getProbability() > 0.5;
      j |= l.getProbability() < 0.5;
    }
    return i && j;
  }
}
