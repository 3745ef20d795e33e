package dev.lodestone.policy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import dev.lodestone.policy.WeightsFormatException.Reason;
import dev.lodestone.policy.internal.KvCache;
import dev.lodestone.policy.internal.Masks;
import dev.lodestone.policy.internal.TokenSampler;
import dev.lodestone.policy.internal.TransformerLm;
import dev.lodestone.policy.internal.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The policy: a GPT-style causal transformer language model over bytes (see {@link ModelConfig}),
 * on one DJL device. Samplers draw responses from it, the learner trains it, the evaluator scores
 * exact sequence probabilities with it.
 *
 * <p>Parameters are initialised from a seeded {@link java.util.Random} on the host, so a seed gives
 * the same weights on any engine or device. On CPU, with the same thread count, every operation is
 * deterministic: the same seed gives the same samples and, with {@link AdamOptimizer}, the same
 * trained weights.
 *
 * <p>A model owns native memory: close it. It is not thread-safe; use one model per thread (the
 * engine allows one {@link ai.djl.training.GradientCollector} at a time in any case).
 */
public final class PolicyModel implements AutoCloseable {

  /** Most logits values (B x T x V) one scoring forward materialises. */
  private static final long SCORING_CHUNK_LOGITS = 8L << 20;

  private final ModelConfig config;
  private final Device device;
  private final NDManager manager;
  private final Masks masks;
  private final TransformerLm block;
  private final List<Weights.Named> named;
  private final ByteTokenizer tokenizer;
  private final Function<Parameter, NDArray> values = Parameter::getArray;
  private boolean trainable;
  private boolean closed;

  /** Builds the structure and sets parameter {@code i} to {@code init.apply(i, manager)}. */
  private PolicyModel(
      ModelConfig config,
      Device device,
      java.util.function.BiFunction<Integer, NDManager, NDArray> init) {
    Engines.start();
    this.config = config;
    this.device = device;
    this.manager = NDManager.newBaseManager(device);
    this.masks = new Masks(manager);
    this.block = new TransformerLm(config, masks);
    this.named = block.namedParameters();
    this.tokenizer = ByteTokenizer.forConfig(config);
    for (int i = 0; i < named.size(); i++) {
      NDArray a = init.apply(i, manager);
      NDScope.unregister(a); // owned by the model, never by a caller's scope
      a.attach(manager);
      named.get(i).parameter().setArray(a);
    }
  }

  private static PolicyModel fromHost(ModelConfig config, Device device, List<Weights.Tensor> t) {
    return new PolicyModel(config, device, (i, m) -> owned(m, t.get(i).values(), t.get(i).shape()));
  }

  /**
   * An array with engine-owned memory holding {@code values}. On CPU, {@code manager.create} wraps
   * a Java direct buffer that only the created array keeps alive; an array whose native handle
   * moves to another object ({@link NDArray#intern}) must not depend on it.
   */
  static NDArray owned(NDManager manager, float[] values, Shape shape) {
    try (NDArray wrapped = manager.create(values, shape)) {
      return wrapped.duplicate();
    }
  }

  /**
   * A freshly initialised model.
   *
   * @param seed the initialisation seed; the same seed gives bit-identical weights everywhere
   */
  public static PolicyModel create(ModelConfig config, Device device, long seed) {
    Engines.start();
    // The parameter layout comes from the block structure, which depends on the config only.
    List<Weights.Named> layout = new TransformerLm(config, null).namedParameters();
    return fromHost(config, device, Weights.initial(config, layout, seed));
  }

  /**
   * Loads a blob written by {@link #toBytes()}, of any architecture.
   *
   * @throws WeightsFormatException when the blob is truncated, corrupt or unreadable
   */
  public static PolicyModel fromBytes(byte[] blob, Device device) {
    ModelConfig config = Weights.peekConfig(blob);
    List<Weights.Named> layout = new TransformerLm(config, null).namedParameters();
    Weights.Blob parsed = Weights.decode(blob, layout);
    return fromHost(parsed.config(), device, parsed.tensors());
  }

  /**
   * Loads a blob that must be of architecture {@code expected}.
   *
   * @throws WeightsFormatException with reason {@link Reason#ARCHITECTURE_MISMATCH} naming the
   *     differing fields when the blob holds another architecture, or another reason when it is
   *     unreadable
   */
  public static PolicyModel fromBytes(byte[] blob, ModelConfig expected, Device device) {
    requireArchitecture(Weights.peekConfig(blob), expected, "the blob");
    return fromBytes(blob, device);
  }

  /**
   * Replaces this model's weights in place with those of a blob of the same architecture (the
   * sampler's hot swap). Optimizers attached to this model keep working on the new values.
   *
   * @throws WeightsFormatException when the blob is unreadable or of another architecture
   */
  public void loadWeights(byte[] blob) {
    checkOpen();
    requireArchitecture(Weights.peekConfig(blob), config, "the blob");
    Weights.Blob parsed = Weights.decode(blob, named);
    for (int i = 0; i < named.size(); i++) {
      NDArray target = named.get(i).parameter().getArray();
      target.intern(hostToDevice(parsed.tensors().get(i)));
      if (trainable) {
        target.setRequiresGradient(true);
      }
    }
  }

  /**
   * Copies another model's weights into this one on the device, without serialising (for example to
   * refresh the previous iterate or the magnet every step). Optimizers attached to this model keep
   * working on the new values.
   *
   * @throws WeightsFormatException with reason {@link Reason#ARCHITECTURE_MISMATCH} when the
   *     architectures differ
   */
  public void loadWeightsFrom(PolicyModel source) {
    checkOpen();
    source.checkOpen();
    requireArchitecture(source.config, config, "the source model");
    for (int i = 0; i < named.size(); i++) {
      NDArray target = named.get(i).parameter().getArray();
      NDArray dup = source.named.get(i).parameter().getArray().duplicate();
      NDScope.unregister(dup);
      dup = dup.toDevice(device, false);
      dup.attach(manager);
      target.intern(dup);
      if (trainable) {
        target.setRequiresGradient(true);
      }
    }
  }

  private static void requireArchitecture(ModelConfig found, ModelConfig expected, String where) {
    if (!found.equals(expected)) {
      throw new WeightsFormatException(
          Reason.ARCHITECTURE_MISMATCH,
          "weights are for another architecture: " + describeDifference(found, expected, where));
    }
  }

  private static String describeDifference(ModelConfig found, ModelConfig expected, String where) {
    List<String> diffs = new ArrayList<>();
    var comps = ModelConfig.class.getRecordComponents();
    for (var c : comps) {
      try {
        Object a = c.getAccessor().invoke(found);
        Object b = c.getAccessor().invoke(expected);
        if (!a.equals(b)) {
          diffs.add(c.getName() + " " + a + " in " + where + ", " + b + " expected");
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read ModelConfig." + c.getName(), e);
      }
    }
    return String.join("; ", diffs);
  }

  private NDArray hostToDevice(Weights.Tensor t) {
    NDArray a = owned(manager, t.values(), t.shape());
    NDScope.unregister(a); // owned by the model, never by a caller's scope
    return a;
  }

  /** The weights as a blob: header (magic, format version, config, SHA-256) and payload. */
  public byte[] toBytes() {
    checkOpen();
    List<Weights.Tensor> tensors = new ArrayList<>(named.size());
    for (Weights.Named n : named) {
      NDArray a = n.parameter().getArray();
      tensors.add(new Weights.Tensor(n.name(), a.getShape(), a.toFloatArray()));
    }
    return Weights.encode(config, tensors);
  }

  /** Lower-case hex SHA-256 of {@link #toBytes()}: identifies these exact weights. */
  public String sha256() {
    return Weights.sha256Hex(toBytes());
  }

  /**
   * An independent copy of the weights on the same device (for the magnet and the previous
   * iterate). The copy does not require gradients.
   */
  public PolicyModel copy() {
    checkOpen();
    return new PolicyModel(
        config, device, (i, m) -> named.get(i).parameter().getArray().duplicate());
  }

  /** The architecture. */
  public ModelConfig config() {
    return config;
  }

  /** The device the weights live on. */
  public Device device() {
    return device;
  }

  /** The tokenizer of this model's vocabulary. */
  public ByteTokenizer tokenizer() {
    return tokenizer;
  }

  /** The DJL block; {@code forward(store, [tokens (B, T)], training)} gives logits (B, T, V). */
  public Block block() {
    return block;
  }

  /** The parameters by their unique names, in the fixed order of the weights format. */
  public Map<String, Parameter> parameters() {
    Map<String, Parameter> m = new LinkedHashMap<>();
    for (Weights.Named n : named) {
      m.put(n.name(), n.parameter());
    }
    return Collections.unmodifiableMap(m);
  }

  /** A new manager on this model's device, closed with the model at the latest. */
  public NDManager newManager() {
    checkOpen();
    return manager.newSubManager();
  }

  /** Whether the parameters require gradients (an optimizer is attached). */
  public boolean isTrainable() {
    return trainable;
  }

  /** Makes every parameter require gradients; called by {@link AdamOptimizer}. */
  void enableGradients() {
    checkOpen();
    for (Weights.Named n : named) {
      n.parameter().getArray().setRequiresGradient(true);
    }
    trainable = true;
  }

  // ---------------------------------------------------------------------------------------------
  // Scoring (teacher forcing)

  /**
   * Next-token log-distributions at every position of a batch: (B, T, V), log-softmax of the logits
   * (in the shared-prompt layout, at the response positions; see {@link TokenBatch}). The result is
   * attached to {@code manager} (and registered in the caller's {@link NDScope}, if any);
   * intermediate arrays are freed before returning.
   *
   * @param training true: operations are recorded for backpropagation when a {@link
   *     ai.djl.training.GradientCollector} is open and this model is trainable. False: nothing is
   *     ever recorded (for the magnet, the previous iterate or evaluation)
   */
  public NDArray logProbs(NDManager manager, TokenBatch batch, boolean training) {
    checkOpen();
    boolean gradMode = JniUtils.isGradMode();
    if (!training) {
      JniUtils.setGradMode(false);
    }
    NDArray out;
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      // The embedding keeps its ids for the backward pass, after this scope has closed them: they
      // must live in engine-owned memory, not in the Java buffer that manager.create wraps (see
      // owned).
      NDArray tokens = batch.inputs(manager).duplicate(); // (B, T)
      NDArray logits;
      if (batch.sharesPrompts()) {
        NDArray prefix =
            batch.prefixLength() == 0 ? null : batch.prefixInputs(manager).duplicate(); // (P, L)
        logits =
            block.sharedPrefixLogits(
                values,
                prefix,
                batch.rowPrefix(manager).duplicate(), // (B)
                tokens,
                batch.positions(manager).duplicate(), // (B, T)
                batch.prefixAttentionMask(manager, TransformerLm.MASKED).duplicate());
      } else {
        logits = block.logits(values, tokens);
      }
      out = logits.logSoftmax(-1); // (B, T, V)
      NDScope.unregister(out);
    } finally {
      JniUtils.setGradMode(gradMode);
    }
    out.attach(manager);
    NDScope.register(out);
    return out;
  }

  /**
   * Per-token log-probabilities of each pair's response tokens under this model: {@code
   * result[i][k] = log pi(response_k | prompt, response_<k)}. Batched; no gradients.
   */
  public float[][] responseTokenLogProbs(List<PromptResponse> pairs) {
    checkOpen();
    float[][] out = new float[pairs.size()][];
    int start = 0;
    while (start < pairs.size()) {
      int end = chunkEnd(pairs, start);
      List<PromptResponse> chunk = pairs.subList(start, end);
      TokenBatch batch = TokenBatch.sharedPrompts(config, chunk);
      float[] picked;
      try (NDManager m = manager.newSubManager()) {
        NDArray lp = logProbs(m, batch, false); // (B, T, V)
        picked = batch.targetLogProbs(lp).toFloatArray(); // (B, T)
      }
      int t = batch.length();
      for (int i = 0; i < chunk.size(); i++) {
        int s = batch.responseStart(i);
        out[start + i] = Arrays.copyOfRange(picked, i * t + s, i * t + s + batch.responseLength(i));
      }
      start = end;
    }
    return out;
  }

  private int chunkEnd(List<PromptResponse> pairs, int start) {
    int end = start;
    int maxLen = 0;
    while (end < pairs.size()) {
      int len = Math.max(maxLen, pairs.get(end).inputLength());
      long logits = (long) (end - start + 1) * len * config.vocabSize();
      if (end > start && logits > SCORING_CHUNK_LOGITS) {
        break;
      }
      maxLen = len;
      end++;
    }
    return end;
  }

  /**
   * Exact log-probability of each response given the prompt: the sum of its per-token
   * log-probabilities in double precision. For the probability of a complete response, the response
   * must end with EOS (docs/design.md, "Games"); without EOS this is the probability that sampling
   * starts with these tokens.
   */
  public double[] sequenceLogProbs(int[] prompt, List<int[]> responses) {
    List<PromptResponse> pairs = new ArrayList<>(responses.size());
    for (int[] r : responses) {
      pairs.add(new PromptResponse(prompt, r));
    }
    float[][] lp = responseTokenLogProbs(pairs);
    double[] out = new double[lp.length];
    for (int i = 0; i < lp.length; i++) {
      double s = 0;
      for (float v : lp[i]) {
        s += v;
      }
      out[i] = s;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Sampling

  /** {@code n} responses to one prompt, drawn with a generator seeded by {@code seed}. */
  public List<SampledResponse> sample(int[] prompt, int n, SamplingParams params, long seed) {
    return sample(prompt, n, params, new SplittableRandom(seed));
  }

  /** {@code n} responses to one prompt. */
  public List<SampledResponse> sample(
      int[] prompt, int n, SamplingParams params, RandomGenerator rng) {
    return sample(List.of(prompt), n, params, rng).get(0);
  }

  /**
   * {@code n} responses to each of several prompts, decoded together as one batch of {@code
   * prompts.size() * n} rows (prompts of different lengths are left-padded and masked).
   *
   * <p>Each step runs in its own {@link NDScope}; the key/value cache stays on the device and one
   * (rows, V) array per step crosses to the host: the probabilities of the tempered distribution
   * (or the logits, when greedy). Randomness: one draw from {@code rng} per unfinished row per
   * step, in row order, so a seeded generator reproduces the samples exactly. Autograd records
   * nothing, even inside an open gradient collector.
   *
   * @return per prompt, its {@code n} responses
   * @throws IllegalArgumentException when a prompt is empty, has ids outside the vocabulary, or
   *     cannot fit {@code maxNewTokens} more tokens in the context
   */
  public List<List<SampledResponse>> sample(
      List<int[]> prompts, int n, SamplingParams params, RandomGenerator rng) {
    checkOpen();
    if (n < 1) {
      throw new IllegalArgumentException("n (responses per prompt) must be at least 1, got " + n);
    }
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("prompts must not be empty");
    }
    int u = prompts.size();
    int maxLen = 0;
    for (int i = 0; i < u; i++) {
      int[] p = prompts.get(i);
      if (p == null || p.length == 0) {
        throw new IllegalArgumentException("prompt " + i + " is empty");
      }
      for (int id : p) {
        if (id < 0 || id >= config.vocabSize()) {
          throw new IllegalArgumentException(
              "prompt " + i + " has token id " + id + ", outside [0, " + config.vocabSize() + ")");
        }
      }
      if (p.length + params.maxNewTokens() - 1 > config.contextLength()) {
        throw new IllegalArgumentException(
            "prompt "
                + i
                + " has "
                + p.length
                + " tokens; with maxNewTokens "
                + params.maxNewTokens()
                + " it needs "
                + (p.length + params.maxNewTokens() - 1)
                + " positions but contextLength is "
                + config.contextLength());
      }
      maxLen = Math.max(maxLen, p.length);
    }
    int[] pad = new int[u];
    boolean padded = false;
    for (int i = 0; i < u; i++) {
      pad[i] = maxLen - prompts.get(i).length;
      padded |= pad[i] > 0;
    }
    int rows = u * n;
    int[] rowPad = new int[rows];
    for (int r = 0; r < rows; r++) {
      rowPad[r] = pad[r / n];
    }
    int v = config.vocabSize();
    int eos = config.eosId();
    TokenSampler sampler = new TokenSampler(v, params.temperature() == 0, params.topP());
    int[][] tokens = new int[rows][params.maxNewTokens()];
    float[][] logps = new float[rows][params.maxNewTokens()];
    int[] lengths = new int[rows];
    boolean[] finished = new boolean[rows];
    int active = rows;

    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false); // nothing of sampling is ever differentiated
    try (NDManager run = manager.newSubManager();
        KvCache cache = new KvCache(config.layers())) {
      float[] host; // (rows, V): probabilities, or logits when greedy
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        long[] promptIds = new long[u * maxLen];
        long[] positions = padded ? new long[u * maxLen] : null;
        for (int i = 0; i < u; i++) {
          int[] p = prompts.get(i);
          for (int j = 0; j < maxLen; j++) {
            int k = j - pad[i];
            promptIds[i * maxLen + j] = k >= 0 ? p[k] : config.padId();
            if (padded) {
              positions[i * maxLen + j] = Math.max(k, 0);
            }
          }
        }
        NDArray ids = run.create(promptIds, new Shape(u, maxLen)); // (U, P)
        NDArray pos = padded ? run.create(positions, new Shape(u, maxLen)) : null;
        NDArray mask = padded ? Masks.leftPadded(run, pad, maxLen) : null; // (U, 1, P, P)
        NDArray last =
            params.kvCache()
                ? block.prefill(values, ids, pos, mask, cache) // (U, V)
                : block.lastLogits(values, ids, pos, mask); // (U, V)
        if (n > 1) {
          last = last.repeat(0, n); // (U * n, V), row u * n + i is prompt u
          if (params.kvCache()) {
            cache.map(a -> a.repeat(0, n)); // (U * n, H, P, E)
          }
        }
        if (params.kvCache()) {
          cache.reserve(maxLen + params.maxNewTokens() - 1L); // every position ever fed
        }
        host = hostRows(last, params);
      }

      for (int step = 0; step < params.maxNewTokens(); step++) {
        for (int r = 0; r < rows; r++) {
          if (finished[r]) {
            continue;
          }
          TokenSampler.Draw d = sampler.draw(host, r * v, rng);
          tokens[r][lengths[r]] = d.token();
          logps[r][lengths[r]] = (float) d.logProb();
          lengths[r]++;
          if (d.token() == eos) {
            finished[r] = true;
            active--;
          }
        }
        if (active == 0 || step == params.maxNewTokens() - 1) {
          break;
        }
        try (NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          host =
              params.kvCache()
                  ? decodeWithCache(
                      params, run, cache, tokens, lengths, rowPad, maxLen, step, padded)
                  : decodeWithoutCache(
                      params, run, prompts, n, tokens, lengths, rowPad, maxLen, step, padded);
        }
      }
    } finally {
      JniUtils.setGradMode(gradMode);
    }

    List<List<SampledResponse>> out = new ArrayList<>(u);
    for (int i = 0; i < u; i++) {
      List<SampledResponse> group = new ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        int r = i * n + j;
        int[] ids = Arrays.copyOf(tokens[r], lengths[r]);
        float[] lps = Arrays.copyOf(logps[r], lengths[r]);
        group.add(new SampledResponse(tokenizer.decode(ids), ids, lps, finished[r]));
      }
      out.add(Collections.unmodifiableList(group));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The one copy to the host per step: (B, V) logits when greedy, else the probabilities of the
   * tempered distribution, softmax(logits / temperature), computed on the device.
   */
  private static float[] hostRows(NDArray logits, SamplingParams params) {
    if (params.temperature() == 0) {
      return logits.toFloatArray();
    }
    NDArray scaled = params.temperature() == 1 ? logits : logits.div(params.temperature());
    return scaled.softmax(-1).toFloatArray();
  }

  /** Feeds each row's newest token (step {@code step}) through the cache; returns (rows, V). */
  private float[] decodeWithCache(
      SamplingParams params,
      NDManager run,
      KvCache cache,
      int[][] tokens,
      int[] lengths,
      int[] rowPad,
      int promptLen,
      int step,
      boolean padded) {
    int rows = tokens.length;
    long[] next = new long[rows];
    long[] pos = new long[rows];
    for (int r = 0; r < rows; r++) {
      // Finished rows keep decoding PAD; their outputs are ignored.
      next[r] = lengths[r] > step ? tokens[r][step] : config.padId();
      pos[r] = promptLen + step - rowPad[r];
    }
    NDArray ids = run.create(next, new Shape(rows, 1)); // (B, 1)
    // Without padding every row is at the same position: no position array to build.
    NDArray positions = padded ? run.create(pos, new Shape(rows, 1)) : null; // (B, 1)
    NDArray keyMask = null;
    if (padded) {
      int s = promptLen + step + 1;
      float[] km = new float[rows * s];
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < rowPad[r]; j++) {
          km[r * s + j] = Masks.MASKED;
        }
      }
      keyMask = run.create(km, new Shape(rows, 1, 1, s)); // (B, 1, 1, S)
    }
    return hostRows(
        block.decodeStep(values, ids, positions, promptLen + step, keyMask, cache), params);
  }

  /** Recomputes every position of every row (no cache); returns (rows, V). */
  private float[] decodeWithoutCache(
      SamplingParams params,
      NDManager run,
      List<int[]> prompts,
      int n,
      int[][] tokens,
      int[] lengths,
      int[] rowPad,
      int promptLen,
      int step,
      boolean padded) {
    int rows = tokens.length;
    int t = promptLen + step + 1;
    long[] ids = new long[rows * t];
    long[] pos = padded ? new long[rows * t] : null;
    for (int r = 0; r < rows; r++) {
      int[] p = prompts.get(r / n);
      for (int j = 0; j < t; j++) {
        int k = j - rowPad[r];
        long id;
        if (k < 0) {
          id = config.padId();
        } else if (k < p.length) {
          id = p[k];
        } else {
          int g = k - p.length;
          id = g < lengths[r] ? tokens[r][g] : config.padId();
        }
        ids[r * t + j] = id;
        if (padded) {
          pos[r * t + j] = Math.max(k, 0);
        }
      }
    }
    NDArray idArray = run.create(ids, new Shape(rows, t)); // (B, T)
    NDArray posArray = padded ? run.create(pos, new Shape(rows, t)) : null;
    NDArray mask = padded ? Masks.leftPadded(run, rowPad, t) : null; // (B, 1, T, T)
    return hostRows(block.lastLogits(values, idArray, posArray, mask), params);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this policy model is closed");
    }
  }

  /** Frees the weights and every manager created from this model. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      masks.close();
      manager.close();
    }
  }
}
