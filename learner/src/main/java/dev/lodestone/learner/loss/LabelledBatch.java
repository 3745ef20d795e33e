package dev.lodestone.learner.loss;

import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PromptResponse;
import dev.lodestone.policy.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A batch of B labelled groups as the loss sees it, on the host: R response rows (each group's G
 * responses, group after group), the preferences between rows of the same group, and the behaviour
 * log-probabilities log mu of every response token.
 *
 * @param batch the R rows (prompt + response) for teacher forcing
 * @param preferences (R, R): {@code preferences[r][s]} the probability that row r's response is
 *     preferred over row s's, for every labelled pair of a group (both orientations); NaN where the
 *     rows were not compared (different groups, the diagonal, an unlabelled pair)
 * @param groupOf the group index (0..groups-1) of each row, (R)
 * @param groups B, the number of groups
 * @param behaviourLogProbs log mu(y_k|s_k) at each row's response positions, (R, T) row-major,
 *     ignored elsewhere
 */
public record LabelledBatch(
    TokenBatch batch,
    double[][] preferences,
    int[] groupOf,
    int groups,
    float[] behaviourLogProbs) {

  /** Checks the shapes. */
  public LabelledBatch {
    Objects.requireNonNull(batch, "batch");
    int r = batch.batchSize();
    if (preferences.length != r || groupOf.length != r) {
      throw new IllegalArgumentException(
          "preferences and groupOf need one entry per row ("
              + r
              + "), got "
              + preferences.length
              + " and "
              + groupOf.length);
    }
    for (double[] row : preferences) {
      if (row.length != r) {
        throw new IllegalArgumentException("preferences must be R x R = " + r + " x " + r);
      }
    }
    if (behaviourLogProbs.length != r * batch.length()) {
      throw new IllegalArgumentException(
          "behaviourLogProbs must be R x T = "
              + r * batch.length()
              + " values, got "
              + behaviourLogProbs.length);
    }
    if (groups < 1) {
      throw new IllegalArgumentException("groups must be at least 1, got " + groups);
    }
    for (int g : groupOf) {
      if (g < 0 || g >= groups) {
        throw new IllegalArgumentException("group index " + g + " outside 0.." + (groups - 1));
      }
    }
  }

  /**
   * One group as the batch takes it: the prompt, the G responses with their behaviour
   * log-probabilities, and the G x G preferences (NaN where not labelled). The learner's {@code
   * TrainingGroup} is one.
   */
  public interface Group {
    /** The prompt token ids. */
    int[] prompt();

    /** The response token ids, G of them. */
    List<int[]> responses();

    /** log mu of each response token. */
    List<float[]> behaviourLogProbs();

    /** G x G preferences, NaN where not labelled. */
    double[][] preferences();
  }

  /**
   * Lays B groups out as rows: one row per response, the prompt shared within a group ({@link
   * TokenBatch#sharedPrompts}), each group's preferences a block on the diagonal.
   */
  public static LabelledBatch of(ModelConfig config, List<? extends Group> groups) {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one group");
    }
    List<PromptResponse> pairs = new ArrayList<>();
    List<float[]> logMu = new ArrayList<>();
    List<Integer> groupOf = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      Group group = groups.get(g);
      for (int i = 0; i < group.responses().size(); i++) {
        pairs.add(new PromptResponse(group.prompt(), group.responses().get(i)));
        logMu.add(group.behaviourLogProbs().get(i));
        groupOf.add(g);
      }
    }
    int rows = pairs.size();
    double[][] preferences = new double[rows][rows];
    for (double[] row : preferences) {
      Arrays.fill(row, Double.NaN);
    }
    int first = 0;
    for (Group group : groups) {
      int size = group.responses().size();
      for (int i = 0; i < size; i++) {
        System.arraycopy(group.preferences()[i], 0, preferences[first + i], first, size);
      }
      first += size;
    }
    TokenBatch batch = TokenBatch.sharedPrompts(config, pairs);
    int t = batch.length();
    float[] behaviour = new float[rows * t];
    for (int r = 0; r < rows; r++) {
      float[] lp = logMu.get(r);
      System.arraycopy(lp, 0, behaviour, r * t + batch.responseStart(r), lp.length);
    }
    return new LabelledBatch(
        batch,
        preferences,
        groupOf.stream().mapToInt(Integer::intValue).toArray(),
        groups.size(),
        behaviour);
  }

  /** R, the number of response rows. */
  public int rows() {
    return batch.batchSize();
  }
}
