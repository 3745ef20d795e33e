package dev.lodestone.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Prompt/response pairs laid out for teacher forcing, right-padded to a common length T.
 *
 * <p>Row b holds {@code prompt ++ response} without its last token as input; the target at position
 * t is the token at t + 1. Position {@code t} is a <em>response position</em> when its target is a
 * response token: {@code t = promptLength - 1 .. promptLength + responseLength - 2}. Padding uses
 * the PAD id (as input and target) and is never a response position. Immutable; the arrays are
 * created on demand in the caller's manager.
 */
public final class TokenBatch {

  private final int batchSize;
  private final int length;
  private final long[] inputs;
  private final long[] targets;
  private final float[] mask;
  private final int[] promptLengths;
  private final int[] responseLengths;

  private TokenBatch(
      int batchSize,
      int length,
      long[] inputs,
      long[] targets,
      float[] mask,
      int[] promptLengths,
      int[] responseLengths) {
    this.batchSize = batchSize;
    this.length = length;
    this.inputs = inputs;
    this.targets = targets;
    this.mask = mask;
    this.promptLengths = promptLengths;
    this.responseLengths = responseLengths;
  }

  /**
   * Lays out {@code pairs} for a model of architecture {@code config}.
   *
   * @throws IllegalArgumentException when the list is empty, a token id is outside the vocabulary,
   *     or a pair needs more than {@code contextLength} input positions
   */
  public static TokenBatch of(ModelConfig config, List<PromptResponse> pairs) {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("a token batch needs at least one prompt/response pair");
    }
    int b = pairs.size();
    int t = 0;
    for (int i = 0; i < b; i++) {
      PromptResponse pr = pairs.get(i);
      int need = pr.inputLength();
      if (need > config.contextLength()) {
        throw new IllegalArgumentException(
            "pair "
                + i
                + " needs "
                + need
                + " input positions (prompt "
                + pr.prompt().length
                + " + response "
                + pr.response().length
                + " - 1) but contextLength is "
                + config.contextLength());
      }
      checkIds(config, pr.prompt(), "prompt", i);
      checkIds(config, pr.response(), "response", i);
      t = Math.max(t, need);
    }
    long[] inputs = new long[b * t];
    long[] targets = new long[b * t];
    float[] mask = new float[b * t];
    int[] pl = new int[b];
    int[] rl = new int[b];
    java.util.Arrays.fill(inputs, config.padId());
    java.util.Arrays.fill(targets, config.padId());
    for (int i = 0; i < b; i++) {
      int[] p = pairs.get(i).prompt();
      int[] r = pairs.get(i).response();
      pl[i] = p.length;
      rl[i] = r.length;
      int base = i * t;
      int n = p.length + r.length;
      for (int k = 0; k < n - 1; k++) {
        inputs[base + k] = k < p.length ? p[k] : r[k - p.length];
        int next = k + 1;
        targets[base + k] = next < p.length ? p[next] : r[next - p.length];
        if (next >= p.length) {
          mask[base + k] = 1f;
        }
      }
    }
    return new TokenBatch(b, t, inputs, targets, mask, pl, rl);
  }

  private static void checkIds(ModelConfig config, int[] ids, String field, int pair) {
    for (int id : ids) {
      if (id < 0 || id >= config.vocabSize()) {
        throw new IllegalArgumentException(
            field
                + " of pair "
                + pair
                + " has token id "
                + id
                + ", outside the vocabulary [0, "
                + config.vocabSize()
                + ")");
      }
    }
  }

  /** B. */
  public int batchSize() {
    return batchSize;
  }

  /** T, the padded length. */
  public int length() {
    return length;
  }

  /** Prompt length of row {@code b}. */
  public int promptLength(int b) {
    return promptLengths[b];
  }

  /** Response length of row {@code b}. */
  public int responseLength(int b) {
    return responseLengths[b];
  }

  /** The position whose target is the first response token of row {@code b}. */
  public int responseStart(int b) {
    return promptLengths[b] - 1;
  }

  /** Number of response positions over the whole batch. */
  public long responseTokenCount() {
    long n = 0;
    for (int r : responseLengths) {
      n += r;
    }
    return n;
  }

  /** Number of non-padding input positions over the whole batch. */
  public long inputTokenCount() {
    long n = 0;
    for (int i = 0; i < batchSize; i++) {
      n += promptLengths[i] + responseLengths[i] - 1;
    }
    return n;
  }

  /** Input ids, (B, T) int64. */
  public NDArray inputs(NDManager manager) {
    return manager.create(inputs, new Shape(batchSize, length));
  }

  /** Target ids, (B, T) int64. */
  public NDArray targets(NDManager manager) {
    return manager.create(targets, new Shape(batchSize, length));
  }

  /** 1 at response positions, 0 elsewhere, (B, T) float32. */
  public NDArray responseMask(NDManager manager) {
    return manager.create(mask, new Shape(batchSize, length));
  }

  /**
   * Picks the log-probability of each position's target: (B, T, V) -> (B, T). Padding and prompt
   * positions are included; multiply by {@link #responseMask} to keep response positions only.
   */
  public NDArray targetLogProbs(NDArray logProbs) {
    // The index must live in engine-owned memory: gather keeps it for the backward pass, after
    // the arrays here are closed, and an array made by manager.create wraps a Java direct buffer
    // that the garbage collector frees once that array is gone (PolicyModel.owned).
    try (NDArray t = targets(logProbs.getManager());
        NDArray view = t.expandDims(2); // (B, T, 1)
        NDArray idx = view.duplicate()) {
      return logProbs.gather(idx, 2).squeeze(2); // (B, T, V) -> (B, T)
    }
  }
}
