package dev.lodestone.learner;

import dev.lodestone.learner.loss.LabelledBatch;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.serde.DeadLetterReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One labelled group as the learner trains on it: the prompt tokens, the G responses with their
 * behaviour log-probabilities, and the preferences between them: {@code preferences[i][j]} is the
 * probability that response i is preferred over response j for every labelled pair (both
 * orientations, {@code p_ji = 1 - p_ij}), NaN for a pair that was not labelled and on the diagonal.
 * The self-play reward is {@code r_i = mean_{j labelled} p_ij} ({@link #rewards()}); a response
 * without any labelled pair gets {@code r_i = 1/2}, advantage 0. Validated for a model architecture
 * in {@link #of}.
 *
 * @param prompt the prompt token ids
 * @param responses the response token ids, G of them
 * @param behaviourLogProbs log mu of each response token, as sampled
 * @param preferences G x G pairwise preference probabilities, NaN where not labelled
 * @param policyVersion the policy version that drew the responses
 */
public record TrainingGroup(
    int[] prompt,
    List<int[]> responses,
    List<float[]> behaviourLogProbs,
    double[][] preferences,
    long policyVersion)
    implements LabelledBatch.Group {

  /** Copies the lists and checks that the preferences are G x G. */
  public TrainingGroup {
    responses = List.copyOf(responses);
    behaviourLogProbs = List.copyOf(behaviourLogProbs);
    int g = responses.size();
    if (behaviourLogProbs.size() != g || preferences.length != g) {
      throw new IllegalArgumentException(
          "a group of "
              + g
              + " responses needs "
              + g
              + " behaviour log-probability rows and a "
              + g
              + " x "
              + g
              + " preference matrix");
    }
    for (double[] row : preferences) {
      if (row.length != g) {
        throw new IllegalArgumentException("the preference matrix must be " + g + " x " + g);
      }
    }
  }

  /** G. */
  public int size() {
    return responses.size();
  }

  /** The self-play rewards {@code r_i = mean_{j labelled} p_ij}, 1/2 without a labelled pair. */
  public double[] rewards() {
    int g = size();
    double[] r = new double[g];
    for (int i = 0; i < g; i++) {
      double s = 0;
      int n = 0;
      for (int j = 0; j < g; j++) {
        if (!Double.isNaN(preferences[i][j])) {
          s += preferences[i][j];
          n++;
        }
      }
      r[i] = n == 0 ? 0.5 : s / n;
    }
    return r;
  }

  /**
   * The preference matrix of a group whose every pair is labelled, from its upper triangle {@code
   * p[i][j], i < j} (the rest of {@code p} is not read): {@code p_ji = 1 - p_ij}, NaN on the
   * diagonal.
   */
  public static double[][] allPairs(double[][] p) {
    int g = p.length;
    double[][] full = new double[g][g];
    for (int i = 0; i < g; i++) {
      full[i][i] = Double.NaN;
      for (int j = i + 1; j < g; j++) {
        full[i][j] = p[i][j];
        full[j][i] = 1.0 - p[i][j];
      }
    }
    return full;
  }

  /**
   * Converts and validates a labelled group for a model of architecture {@code config}.
   *
   * @throws InvalidGroupException with {@link DeadLetterReason#INVALID_PROBABILITY} for a
   *     probability that is NaN, infinite or outside [0, 1], and {@link
   *     DeadLetterReason#INVALID_RECORD} for fewer than two responses, token ids outside the
   *     vocabulary, token ids and log-probabilities of different lengths, empty responses, a pair
   *     index out of range or repeated, or a sequence longer than the model's context
   */
  public static TrainingGroup of(LabeledGroup labeled, ModelConfig config) {
    SampleGroup group = labeled.getGroup();
    String where = "group " + group.getGroupId();
    List<Response> rs = group.getResponses();
    int g = rs.size();
    if (g < 2) {
      throw invalid(where + " has " + g + " responses; at least 2 are needed");
    }
    int[] prompt = ints(group.getPromptTokenIds());
    if (prompt.length == 0) {
      throw invalid(where + " has no prompt tokens");
    }
    checkIds(prompt, config, where + " prompt");
    List<int[]> responses = new ArrayList<>(g);
    List<float[]> logMu = new ArrayList<>(g);
    for (int i = 0; i < g; i++) {
      Response r = rs.get(i);
      int[] ids = ints(r.getTokenIds());
      List<Float> lps = r.getLogProbs();
      if (ids.length == 0) {
        throw invalid(where + " response " + i + " has no tokens");
      }
      if (lps.size() != ids.length) {
        throw invalid(
            where
                + " response "
                + i
                + " has "
                + ids.length
                + " token ids but "
                + lps.size()
                + " log-probabilities");
      }
      checkIds(ids, config, where + " response " + i);
      int need = prompt.length + ids.length - 1;
      if (need > config.contextLength()) {
        throw invalid(
            where
                + " response "
                + i
                + " needs "
                + need
                + " positions, more than the model's context "
                + config.contextLength());
      }
      float[] lp = new float[lps.size()];
      for (int k = 0; k < lp.length; k++) {
        lp[k] = lps.get(k);
      }
      responses.add(ids);
      logMu.add(lp);
    }
    double[][] prefs = new double[g][g];
    for (double[] row : prefs) {
      Arrays.fill(row, Double.NaN);
    }
    for (PairPreference p : labeled.getPreferences()) {
      int i = p.getI();
      int j = p.getJ();
      double prob = p.getProbability();
      if (i < 0 || j < 0 || i >= g || j >= g || i == j) {
        throw invalid(where + " has a preference for pair (" + i + ", " + j + "), G is " + g);
      }
      if (!Double.isFinite(prob) || prob < 0 || prob > 1) {
        throw new InvalidGroupException(
            DeadLetterReason.INVALID_PROBABILITY,
            where + " pair (" + i + ", " + j + ") has probability " + prob + ", outside [0, 1]");
      }
      if (!Double.isNaN(prefs[i][j])) {
        throw invalid(where + " has pair (" + Math.min(i, j) + ", " + Math.max(i, j) + ") twice");
      }
      prefs[i][j] = prob;
      prefs[j][i] = 1.0 - prob;
    }
    return new TrainingGroup(prompt, responses, logMu, prefs, group.getPolicyVersion());
  }

  private static InvalidGroupException invalid(String message) {
    return new InvalidGroupException(DeadLetterReason.INVALID_RECORD, message);
  }

  private static void checkIds(int[] ids, ModelConfig config, String where) {
    for (int id : ids) {
      if (id < 0 || id >= config.vocabSize()) {
        throw invalid(
            where
                + " has token id "
                + id
                + ", outside the vocabulary [0, "
                + config.vocabSize()
                + ")");
      }
    }
  }

  private static int[] ints(List<Integer> list) {
    int[] a = new int[list.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = list.get(i);
    }
    return a;
  }
}
