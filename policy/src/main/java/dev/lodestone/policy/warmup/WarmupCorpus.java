package dev.lodestone.policy.warmup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the warm-up teaches: for each prompt, a distribution over response strings. The policy
 * module knows nothing about games; the caller passes the strategies and their initial
 * probabilities (docs/design.md, "Games").
 *
 * @param tasks at least one prompt with its responses
 */
public record WarmupCorpus(List<Task> tasks) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One prompt and the distribution of responses to teach.
   *
   * @param prompt the prompt text
   * @param responses distinct response strings
   * @param weights non-negative weights, one per response, with a positive sum; normalised to
   *     probabilities by {@link #probabilities()}
   */
  public record Task(String prompt, List<String> responses, List<Double> weights) {

    /** Validates; the error names the field and the bad value. */
    public Task {
      if (prompt == null) {
        throw new IllegalArgumentException("prompt must not be null");
      }
      if (responses == null || responses.isEmpty()) {
        throw new IllegalArgumentException("responses must not be empty, got " + responses);
      }
      if (weights == null || weights.size() != responses.size()) {
        throw new IllegalArgumentException(
            "weights must have one entry per response (" + responses.size() + "), got " + weights);
      }
      Set<String> seen = new HashSet<>();
      double sum = 0;
      for (int i = 0; i < responses.size(); i++) {
        String r = responses.get(i);
        if (r == null || !seen.add(r)) {
          throw new IllegalArgumentException(
              "responses must be distinct and non-null, got '" + r + "' twice or null");
        }
        Double w = weights.get(i);
        if (w == null || !(w >= 0) || !Double.isFinite(w)) {
          throw new IllegalArgumentException(
              "weights[" + i + "] must be finite and >= 0, got " + w);
        }
        sum += w;
      }
      if (!(sum > 0)) {
        throw new IllegalArgumentException("weights must have a positive sum, got " + weights);
      }
      responses = List.copyOf(responses);
      weights = List.copyOf(weights);
    }

    /** The weights normalised to sum to 1. */
    public double[] probabilities() {
      double sum = 0;
      for (double w : weights) {
        sum += w;
      }
      double[] p = new double[weights.size()];
      for (int i = 0; i < p.length; i++) {
        p[i] = weights.get(i) / sum;
      }
      return p;
    }
  }

  /** Validates that there is at least one task. */
  public WarmupCorpus {
    if (tasks == null || tasks.isEmpty()) {
      throw new IllegalArgumentException("a warm-up corpus needs at least one task, got " + tasks);
    }
    tasks = List.copyOf(tasks);
  }

  /** A corpus of one prompt. */
  public static WarmupCorpus of(String prompt, List<String> responses, double... weights) {
    List<Double> w = new ArrayList<>(weights.length);
    for (double x : weights) {
      w.add(x);
    }
    return new WarmupCorpus(List.of(new Task(prompt, responses, w)));
  }

  /** Stable JSON text of the corpus (for cache keys). */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write warm-up corpus as JSON", e);
    }
  }
}
