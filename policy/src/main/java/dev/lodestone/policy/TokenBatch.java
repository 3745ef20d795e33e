package dev.lodestone.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prompt/response pairs laid out for teacher forcing, right-padded to a common length T, in one of
 * two layouts.
 *
 * <p><b>Full layout</b> ({@link #of}). Row b holds {@code prompt ++ response} without its last
 * token as input; the target at position t is the token at t + 1. Position {@code t} is a
 * <em>response position</em> when its target is a response token: {@code t = promptLength - 1 ..
 * promptLength + responseLength - 2}.
 *
 * <p><b>Shared-prompt layout</b> ({@link #sharedPrompts}). Only the response positions are rows'
 * positions: position k of row b is the sequence position {@code promptLength - 1 + k}, its input
 * the last prompt token (k = 0) or response token k - 1, its target response token k, so T is the
 * longest response and {@link #responseStart} is 0. Everything before, the <em>prefix</em> (the
 * prompt without its last token), is stored once per distinct prompt: a model reads it once and
 * lets every row that shares it attend to its keys and values. The learner's rows of a batch share
 * one or a few prompts, so this reads far fewer positions than the full layout for the same
 * response log-probabilities.
 *
 * <p>In both, padding uses the PAD id (as input and target) and is never a response position.
 * Immutable; the arrays are created on demand in the caller's manager.
 */
public final class TokenBatch {

  private final int batchSize;
  private final int length;
  private final long[] inputs;
  private final long[] targets;
  private final float[] mask;
  private final int[] promptLengths;
  private final int[] responseLengths;
  private final Prefixes prefixes; // null in the full layout

  /**
   * The shared-prompt layout's prefixes: {@code count} distinct prefixes right-padded to {@code
   * length}, row-major (count, length); {@code lengths[i]} real tokens in prefix i; {@code
   * rowPrefix[b]} the prefix of row b; {@code positions} (B, T) the sequence position of each row
   * position (0 at padding).
   */
  private record Prefixes(
      int count, int length, long[] tokens, int[] lengths, long[] rowPrefix, long[] positions) {}

  private TokenBatch(
      int batchSize,
      int length,
      long[] inputs,
      long[] targets,
      float[] mask,
      int[] promptLengths,
      int[] responseLengths,
      Prefixes prefixes) {
    this.batchSize = batchSize;
    this.length = length;
    this.inputs = inputs;
    this.targets = targets;
    this.mask = mask;
    this.promptLengths = promptLengths;
    this.responseLengths = responseLengths;
    this.prefixes = prefixes;
  }

  /**
   * Lays out {@code pairs} for a model of architecture {@code config}.
   *
   * @throws IllegalArgumentException when the list is empty, a token id is outside the vocabulary,
   *     or a pair needs more than {@code contextLength} input positions
   */
  public static TokenBatch of(ModelConfig config, List<PromptResponse> pairs) {
    int t = checkPairs(config, pairs);
    Rows rows = new Rows(config, pairs, t);
    for (int i = 0; i < pairs.size(); i++) {
      int[] p = pairs.get(i).prompt();
      int[] r = pairs.get(i).response();
      int base = i * t;
      int n = p.length + r.length;
      for (int k = 0; k < n - 1; k++) {
        rows.inputs[base + k] = k < p.length ? p[k] : r[k - p.length];
        int next = k + 1;
        rows.targets[base + k] = next < p.length ? p[next] : r[next - p.length];
        if (next >= p.length) {
          rows.mask[base + k] = 1f;
        }
      }
    }
    return rows.batch(null);
  }

  /**
   * Lays out {@code pairs} in the shared-prompt layout (see the class comment): rows hold response
   * positions only, and each distinct prompt's prefix is stored once.
   *
   * @throws IllegalArgumentException as {@link #of}
   */
  public static TokenBatch sharedPrompts(ModelConfig config, List<PromptResponse> pairs) {
    checkPairs(config, pairs);
    int b = pairs.size();
    Map<List<Integer>, Integer> index = new LinkedHashMap<>();
    long[] rowPrefix = new long[b];
    int t = 0;
    int prefixLength = 0;
    for (int i = 0; i < b; i++) {
      int[] p = pairs.get(i).prompt();
      List<Integer> key = Arrays.stream(p, 0, p.length - 1).boxed().toList();
      Integer id = index.get(key);
      if (id == null) {
        id = index.size();
        index.put(key, id);
      }
      rowPrefix[i] = id;
      t = Math.max(t, pairs.get(i).response().length);
      prefixLength = Math.max(prefixLength, p.length - 1);
    }
    int count = index.size();
    long[] prefixTokens = new long[count * prefixLength];
    int[] prefixLengths = new int[count];
    Arrays.fill(prefixTokens, config.padId());
    for (Map.Entry<List<Integer>, Integer> e : index.entrySet()) {
      List<Integer> tokens = e.getKey();
      prefixLengths[e.getValue()] = tokens.size();
      for (int k = 0; k < tokens.size(); k++) {
        prefixTokens[e.getValue() * prefixLength + k] = tokens.get(k);
      }
    }
    Rows rows = new Rows(config, pairs, t);
    long[] positions = new long[b * t];
    for (int i = 0; i < b; i++) {
      int[] p = pairs.get(i).prompt();
      int[] r = pairs.get(i).response();
      int base = i * t;
      for (int k = 0; k < r.length; k++) {
        rows.inputs[base + k] = k == 0 ? p[p.length - 1] : r[k - 1];
        rows.targets[base + k] = r[k];
        positions[base + k] = p.length - 1L + k;
        rows.mask[base + k] = 1f;
      }
    }
    return rows.batch(
        new Prefixes(count, prefixLength, prefixTokens, prefixLengths, rowPrefix, positions));
  }

  /**
   * The row arrays of either layout while they are filled: inputs and targets PAD, the mask 0, and
   * each pair's prompt and response lengths.
   */
  private static final class Rows {
    final int b;
    final int t;
    final long[] inputs;
    final long[] targets;
    final float[] mask;
    final int[] promptLengths;
    final int[] responseLengths;

    Rows(ModelConfig config, List<PromptResponse> pairs, int t) {
      this.b = pairs.size();
      this.t = t;
      inputs = new long[b * t];
      targets = new long[b * t];
      mask = new float[b * t];
      Arrays.fill(inputs, config.padId());
      Arrays.fill(targets, config.padId());
      promptLengths = new int[b];
      responseLengths = new int[b];
      for (int i = 0; i < b; i++) {
        promptLengths[i] = pairs.get(i).prompt().length;
        responseLengths[i] = pairs.get(i).response().length;
      }
    }

    TokenBatch batch(Prefixes prefixes) {
      return new TokenBatch(b, t, inputs, targets, mask, promptLengths, responseLengths, prefixes);
    }
  }

  /** Checks ids and lengths; returns the longest input (prompt + response - 1). */
  private static int checkPairs(ModelConfig config, List<PromptResponse> pairs) {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("a token batch needs at least one prompt/response pair");
    }
    int t = 0;
    for (int i = 0; i < pairs.size(); i++) {
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
    return t;
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

  /** Whether this is the shared-prompt layout ({@link #sharedPrompts}). */
  public boolean sharesPrompts() {
    return prefixes != null;
  }

  /** T, the padded length (in the shared-prompt layout, of the response positions). */
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

  /**
   * The row position whose target is the first response token of row {@code b} (0 in the
   * shared-prompt layout).
   */
  public int responseStart(int b) {
    return prefixes != null ? 0 : promptLengths[b] - 1;
  }

  /** Number of response positions over the whole batch. */
  public long responseTokenCount() {
    long n = 0;
    for (int r : responseLengths) {
      n += r;
    }
    return n;
  }

  /**
   * Number of non-padding input positions of the sequences (prompt + response - 1 per row), the
   * same in both layouts.
   */
  public long inputTokenCount() {
    long n = 0;
    for (int i = 0; i < batchSize; i++) {
      n += promptLengths[i] + responseLengths[i] - 1;
    }
    return n;
  }

  /** Distinct prefixes P of the shared-prompt layout. */
  int prefixCount() {
    return requireShared().count();
  }

  /** The padded prefix length L of the shared-prompt layout (0 when every prompt is one token). */
  int prefixLength() {
    return requireShared().length();
  }

  /** The prefixes' ids, (P, L) int64, right-padded; shared-prompt layout only. */
  NDArray prefixInputs(NDManager manager) {
    Prefixes x = requireShared();
    return manager.create(x.tokens(), new Shape(x.count(), x.length()));
  }

  /** Each row's prefix index, (B) int64; shared-prompt layout only. */
  NDArray rowPrefix(NDManager manager) {
    return manager.create(requireShared().rowPrefix(), new Shape(batchSize));
  }

  /** Sequence position of each row position, (B, T) int64 (0 at padding); shared layout only. */
  NDArray positions(NDManager manager) {
    return manager.create(requireShared().positions(), new Shape(batchSize, length));
  }

  /**
   * The additive attention mask of the row positions over their prefix's L positions and the T row
   * positions, (B, 1, T, L + T): position k of row b sees prefix position j when j is a real token
   * of its prefix, and row position j when {@code j <= k}; {@code masked} elsewhere. Shared-prompt
   * layout only.
   */
  NDArray prefixAttentionMask(NDManager manager, float masked) {
    Prefixes x = requireShared();
    int l = x.length();
    int s = l + length;
    float[] data = new float[batchSize * length * s];
    for (int r = 0; r < batchSize; r++) {
      int real = x.lengths()[(int) x.rowPrefix()[r]];
      for (int k = 0; k < length; k++) {
        int base = (r * length + k) * s;
        for (int j = 0; j < s; j++) {
          boolean allowed = j < l ? j < real : j - l <= k;
          data[base + j] = allowed ? 0f : masked;
        }
      }
    }
    return manager.create(data, new Shape(batchSize, 1, length, s));
  }

  private Prefixes requireShared() {
    if (prefixes == null) {
      throw new IllegalStateException("not a shared-prompt batch (TokenBatch.sharedPrompts)");
    }
    return prefixes;
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
