package dev.lodestone.policy.hf;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lodestone.policy.SamplingParams;
import dev.lodestone.policy.internal.TokenSampler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A Hugging Face causal language model as a DJL block, computed in float32: the Llama family
 * (RMSNorm, rotary embeddings with the config's scaling, SwiGLU MLP, grouped-query attention,
 * Qwen2's query/key/value biases, Mistral's sliding window) and GPT-2 (learned positions,
 * LayerNorm, {@code gelu_new} or {@code gelu} MLP). The arithmetic follows {@code transformers}'
 * modelling code for each architecture; parameters carry the checkpoint's names and shapes.
 *
 * <p>{@code forward(store, [tokens (B, T) int64], training)} returns {@code [logits (B, T, V)]} at
 * positions {@code 0..T-1} under a causal mask; {@link #logits} computes the same from any source
 * of parameter values.
 *
 * <p>Dimension letters: B batch, T positions, D hidden size, H query heads, K key/value heads, E
 * head width, F MLP width, V vocabulary.
 */
public final class HfCausalLm extends AbstractBlock implements AutoCloseable {

  private final HfConfig config;
  private final NDManager manager;
  private final Map<String, Parameter> parameters = new LinkedHashMap<>();
  private final float[] inverseFrequencies;

  private HfCausalLm(HfConfig config, NDManager manager) {
    this.config = config;
    this.manager = manager;
    for (String name : config.expectedTensors().keySet()) {
      parameters.put(
          name,
          addParameter(
              Parameter.builder()
                  .setName(name)
                  .setType(name.endsWith("bias") ? Parameter.Type.BIAS : Parameter.Type.WEIGHT)
                  .build()));
    }
    inverseFrequencies =
        config.family() == HfConfig.Family.LLAMA ? rotaryFrequencies(config) : null;
    inputShapes = new Shape[] {new Shape(-1, -1)};
  }

  /**
   * Loads {@code checkpoint}'s weights, converted to float32, onto {@code device}.
   *
   * @throws IOException if a weights file cannot be read
   */
  public static HfCausalLm load(HfCheckpoint checkpoint, Device device) throws IOException {
    NDManager manager = NDManager.newBaseManager(device);
    try {
      HfCausalLm model = new HfCausalLm(checkpoint.config(), manager);
      Map<String, long[]> shapes = checkpoint.config().expectedTensors();
      for (Map.Entry<String, Parameter> e : model.parameters.entrySet()) {
        float[] values = checkpoint.read(e.getKey());
        NDArray array = manager.create(values, new Shape(shapes.get(e.getKey())));
        array.setName(e.getKey());
        e.getValue().setArray(array);
      }
      return model;
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** The architecture. */
  public HfConfig config() {
    return config;
  }

  /** The parameters by their checkpoint names, in model order. */
  public Map<String, Parameter> namedParameters() {
    return Collections.unmodifiableMap(parameters);
  }

  /**
   * Next-token logits at every position of sequences that start at position 0.
   *
   * @param p reads a parameter's value
   * @param tokens (B, T) int64
   * @return (B, T, V)
   */
  public NDArray logits(Function<Parameter, NDArray> p, NDArray tokens) {
    return forward(p, tokens, null);
  }

  /**
   * Next-token logits of {@code tokens}, which continue the positions already in {@code cache}
   * (none when it is null or empty), attending to them; the new keys and values are added to the
   * cache.
   *
   * @param tokens (B, T) int64
   * @param cache the keys and values of earlier positions, or null for none (nothing is kept)
   * @return (B, T, V)
   */
  public NDArray forward(Function<Parameter, NDArray> p, NDArray tokens, Cache cache) {
    long t = tokens.getShape().get(1);
    long start = cache == null ? 0 : cache.length;
    if (start + t > config.maxPositions()) {
      throw new IllegalArgumentException(
          (start + t) + " positions, more than the model's context of " + config.maxPositions());
    }
    NDArray out =
        config.family() == HfConfig.Family.LLAMA
            ? llama(p, tokens, start, t, cache)
            : gpt2(p, tokens, start, t, cache);
    if (cache != null) {
      cache.length = start + t;
    }
    return out;
  }

  /**
   * The keys and values of the positions a sequence has seen, per layer, for decoding one token at
   * a time; its arrays live in the manager it was created with.
   */
  public static final class Cache {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private long length;

    Cache(NDManager manager, int layers) {
      this.manager = manager;
      this.keys = new NDArray[layers];
      this.values = new NDArray[layers];
    }

    /** Positions held. */
    public long length() {
      return length;
    }

    /** Appends a layer's new keys and values (B, K, T, E) and returns all of them. */
    NDArray[] append(int layer, NDArray k, NDArray v) {
      NDArray allK = keys[layer] == null ? k : keys[layer].concat(k, 2);
      NDArray allV = values[layer] == null ? v : values[layer].concat(v, 2);
      if (keys[layer] != null) {
        keys[layer].close();
        values[layer].close();
      }
      allK.attach(manager);
      allV.attach(manager);
      keys[layer] = allK;
      values[layer] = allV;
      return new NDArray[] {allK, allV};
    }
  }

  /** An empty cache whose arrays live in {@code manager}. */
  public Cache newCache(NDManager manager) {
    return new Cache(manager, config.layers());
  }

  private NDArray w(Function<Parameter, NDArray> p, String name) {
    return p.apply(parameters.get(name));
  }

  // ---- Llama family ----

  private NDArray llama(
      Function<Parameter, NDArray> p, NDArray tokens, long start, long t, Cache cache) {
    NDManager m = tokens.getManager();
    NDArray x =
        Embedding.embedding(tokens, w(p, "model.embed_tokens.weight"), SparseFormat.DENSE)
            .head(); // (B, T, D)
    NDArray[] cosSin = rotary(m, start, t); // 2 x (T, E)
    NDArray mask = causalMask(m, start, t, config.slidingWindow()); // (T, start + T)
    for (int l = 0; l < config.layers(); l++) {
      String pre = "model.layers." + l + ".";
      NDArray h = rmsNorm(x, w(p, pre + "input_layernorm.weight"));
      x = x.add(llamaAttention(p, pre + "self_attn.", h, cosSin, mask, cache, l));
      h = rmsNorm(x, w(p, pre + "post_attention_layernorm.weight"));
      x = x.add(swiGlu(p, pre + "mlp.", h));
    }
    x = rmsNorm(x, w(p, "model.norm.weight"));
    NDArray head =
        config.tieEmbeddings() ? w(p, "model.embed_tokens.weight") : w(p, "lm_head.weight");
    return x.matMul(head.transpose()); // (B, T, V)
  }

  private NDArray llamaAttention(
      Function<Parameter, NDArray> p,
      String pre,
      NDArray h,
      NDArray[] cosSin,
      NDArray mask,
      Cache cache,
      int layer) {
    long b = h.getShape().get(0);
    long t = h.getShape().get(1);
    int e = config.headDim();
    NDArray q = linear(p, pre + "q_proj", h, config.qkvBias()); // (B, T, H * E)
    NDArray k = linear(p, pre + "k_proj", h, config.qkvBias()); // (B, T, K * E)
    NDArray v = linear(p, pre + "v_proj", h, config.qkvBias()); // (B, T, K * E)
    q = q.reshape(b, t, config.heads(), e).transpose(0, 2, 1, 3); // (B, H, T, E)
    k = k.reshape(b, t, config.kvHeads(), e).transpose(0, 2, 1, 3); // (B, K, T, E)
    v = v.reshape(b, t, config.kvHeads(), e).transpose(0, 2, 1, 3); // (B, K, T, E)
    q = applyRotary(q, cosSin);
    k = applyRotary(k, cosSin);
    if (cache != null) {
      NDArray[] all = cache.append(layer, k, v); // 2 x (B, K, start + T, E)
      k = all[0];
      v = all[1];
    }
    int groups = config.heads() / config.kvHeads();
    if (groups > 1) {
      // Each key/value head serves `groups` consecutive query heads (transformers' repeat_kv).
      k = k.repeat(1, groups); // (B, H, T, E)
      v = v.repeat(1, groups);
    }
    NDArray y = attend(q, k, v, mask, e); // (B, H, T, E)
    y = y.transpose(0, 2, 1, 3).reshape(b, t, (long) config.heads() * e); // (B, T, H * E)
    return linear(p, pre + "o_proj", y, config.outputBias()); // (B, T, D)
  }

  private NDArray swiGlu(Function<Parameter, NDArray> p, String pre, NDArray h) {
    NDArray gate = linear(p, pre + "gate_proj", h, config.mlpBias()); // (B, T, F)
    NDArray up = linear(p, pre + "up_proj", h, config.mlpBias()); // (B, T, F)
    NDArray silu = gate.mul(Activation.sigmoid(gate));
    return linear(p, pre + "down_proj", silu.mul(up), config.mlpBias()); // (B, T, D)
  }

  /** x W^T (+ b), with W in PyTorch's (out, in) layout. */
  private NDArray linear(Function<Parameter, NDArray> p, String name, NDArray x, boolean bias) {
    NDArray y = x.matMul(w(p, name + ".weight").transpose());
    return bias ? y.add(w(p, name + ".bias")) : y;
  }

  /** transformers' LlamaRMSNorm: x / sqrt(mean(x^2) + eps) * weight. */
  private NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray variance = x.square().mean(new int[] {-1}, true); // (B, T, 1)
    return x.div(variance.add((float) config.normEps()).sqrt()).mul(weight);
  }

  /**
   * cos and sin of position x frequency for positions {@code start .. start + t - 1}, each
   * duplicated over both halves: 2 x (T, E).
   */
  private NDArray[] rotary(NDManager m, long start, long t) {
    int half = inverseFrequencies.length;
    int e = 2 * half;
    float[] cos = new float[(int) t * e];
    float[] sin = new float[(int) t * e];
    for (int pos = 0; pos < t; pos++) {
      for (int i = 0; i < half; i++) {
        // float32 product, as transformers computes it (inv_freq and positions in float32).
        float angle = (float) (start + pos) * inverseFrequencies[i];
        float c = (float) Math.cos(angle);
        float s = (float) Math.sin(angle);
        cos[pos * e + i] = c;
        cos[pos * e + half + i] = c;
        sin[pos * e + i] = s;
        sin[pos * e + half + i] = s;
      }
    }
    return new NDArray[] {m.create(cos, new Shape(t, e)), m.create(sin, new Shape(t, e))};
  }

  /** transformers' apply_rotary_pos_emb: x cos + rotate_half(x) sin. */
  private static NDArray applyRotary(NDArray x, NDArray[] cosSin) {
    long e = x.getShape().get(3);
    NDArray x1 = x.get(new NDIndex("..., :{}", e / 2));
    NDArray x2 = x.get(new NDIndex("..., {}:", e / 2));
    NDArray rotated = x2.neg().concat(x1, -1);
    return x.mul(cosSin[0]).add(rotated.mul(cosSin[1]));
  }

  /**
   * The rotary inverse frequencies 1 / theta^(2i / E), rescaled as the config's {@code
   * rope_scaling} says (transformers' {@code _compute_linear_scaling_rope_parameters} and {@code
   * _compute_llama3_parameters}), in float32.
   */
  static float[] rotaryFrequencies(HfConfig config) {
    int e = config.headDim();
    float[] inv = new float[e / 2];
    HfConfig.RopeScaling s = config.ropeScaling();
    for (int i = 0; i < inv.length; i++) {
      // float32, as torch computes base ** (arange(0, dim, 2).float() / dim).
      float exponent = (float) (2 * i) / e;
      float freq = (float) (1.0 / Math.pow(config.ropeTheta(), exponent));
      switch (s.type()) {
        case "linear" -> freq = (float) (freq / s.factor());
        case "llama3" -> {
          double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
          double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
          double wavelen = 2 * Math.PI / freq;
          if (wavelen > lowWavelen) {
            freq = (float) (freq / s.factor());
          } else if (wavelen >= highWavelen) {
            double smooth =
                (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
                    / (s.highFreqFactor() - s.lowFreqFactor());
            freq = (float) ((1 - smooth) * freq / s.factor() + smooth * freq);
          }
        }
        default -> {}
      }
      inv[i] = freq;
    }
    return inv;
  }

  // ---- GPT-2 ----

  private NDArray gpt2(
      Function<Parameter, NDArray> p, NDArray tokens, long start, long t, Cache cache) {
    NDManager m = tokens.getManager();
    long b = tokens.getShape().get(0);
    long d = config.hiddenSize();
    int e = config.headDim();
    NDArray x =
        Embedding.embedding(tokens, w(p, "wte.weight"), SparseFormat.DENSE).head(); // (B, T, D)
    x = x.add(w(p, "wpe.weight").get(new NDIndex("{}:{}", start, start + t))); // + (T, D)
    NDArray mask = causalMask(m, start, t, 0); // (T, start + T)
    for (int l = 0; l < config.layers(); l++) {
      String pre = "h." + l + ".";
      NDArray h = layerNorm(p, pre + "ln_1", x);
      NDArray qkv = conv1d(p, pre + "attn.c_attn", h); // (B, T, 3D)
      NDList parts = qkv.split(3, 2);
      NDArray q = parts.get(0).reshape(b, t, config.heads(), e).transpose(0, 2, 1, 3);
      NDArray k = parts.get(1).reshape(b, t, config.heads(), e).transpose(0, 2, 1, 3);
      NDArray v = parts.get(2).reshape(b, t, config.heads(), e).transpose(0, 2, 1, 3);
      if (cache != null) {
        NDArray[] all = cache.append(l, k, v);
        k = all[0];
        v = all[1];
      }
      NDArray y = attend(q, k, v, mask, e).transpose(0, 2, 1, 3).reshape(b, t, d);
      x = x.add(conv1d(p, pre + "attn.c_proj", y));
      h = layerNorm(p, pre + "ln_2", x);
      NDArray u = conv1d(p, pre + "mlp.c_fc", h);
      NDArray act = config.activation().equals("gelu") ? Activation.gelu(u) : geluNew(u);
      x = x.add(conv1d(p, pre + "mlp.c_proj", act));
    }
    x = layerNorm(p, "ln_f", x);
    NDArray head = config.tieEmbeddings() ? w(p, "wte.weight") : w(p, "lm_head.weight");
    return x.matMul(head.transpose()); // (B, T, V)
  }

  /** GPT-2's Conv1D: x W + b, with W in (in, out) layout. */
  private NDArray conv1d(Function<Parameter, NDArray> p, String name, NDArray x) {
    return x.matMul(w(p, name + ".weight")).add(w(p, name + ".bias"));
  }

  private NDArray layerNorm(Function<Parameter, NDArray> p, String name, NDArray x) {
    return LayerNorm.layerNorm(
            x,
            new Shape(config.hiddenSize()),
            w(p, name + ".weight"),
            w(p, name + ".bias"),
            (float) config.normEps())
        .head();
  }

  /** gelu_new: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))). */
  private static NDArray geluNew(NDArray x) {
    NDArray inner = x.add(x.pow(3).mul(0.044715f)).mul((float) Math.sqrt(2 / Math.PI));
    return x.mul(inner.tanh().add(1f)).mul(0.5f);
  }

  // ---- shared ----

  /** Scaled dot-product attention: softmax(q k^T / sqrt(E) + mask) v. */
  private static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, int e) {
    NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).mul((float) (1 / Math.sqrt(e)));
    return att.add(mask).softmax(-1).matMul(v);
  }

  /**
   * Additive (T, start + T) causal mask of queries at positions {@code start ..} over keys at
   * positions {@code 0 ..}; with a window W > 0, a query sees only its last W keys.
   */
  private static NDArray causalMask(NDManager m, long start, long t, int window) {
    long s = start + t;
    float[] mask = new float[(int) (t * s)];
    for (int i = 0; i < t; i++) {
      long query = start + i;
      for (int j = 0; j < s; j++) {
        boolean allowed = j <= query && (window <= 0 || query - j < window);
        mask[(int) (i * s + j)] = allowed ? 0f : Float.NEGATIVE_INFINITY;
      }
    }
    return m.create(mask, new Shape(t, s));
  }

  /**
   * A response drawn after a prompt.
   *
   * @param tokens the response's token ids, ending with the stop token when {@code finished}
   * @param logProbs each token's log-probability under the distribution it was drawn from
   *     (temperature and top-p applied; 0 for greedy)
   * @param finished whether the stop token was drawn (else the token limit or the context ended it)
   */
  public record Generation(long[] tokens, double[] logProbs, boolean finished) {}

  /**
   * Draws a response to {@code prompt}, one token at a time, with the key/value cache when {@code
   * params.kvCache()} (else every position is recomputed at every step: slower, the same
   * distribution).
   *
   * @param stopTokens the tokens that end a response (the checkpoint's end of sequence; {@link
   *     HfCheckpoint#stopTokens()})
   * @param rng consulted once per token unless greedy
   */
  public Generation generate(
      long[] prompt, SamplingParams params, long[] stopTokens, RandomGenerator rng) {
    if (prompt.length == 0 || prompt.length >= config.maxPositions()) {
      throw new IllegalArgumentException(
          "the prompt must have 1 to "
              + (config.maxPositions() - 1)
              + " tokens, got "
              + prompt.length);
    }
    boolean greedy = params.temperature() == 0;
    TokenSampler sampler = new TokenSampler(config.vocabSize(), greedy, params.topP());
    List<Long> tokens = new ArrayList<>();
    List<Double> logProbs = new ArrayList<>();
    boolean finished = false;
    try (NDManager generation = manager.newSubManager()) {
      Cache cache = params.kvCache() ? newCache(generation) : null;
      while (tokens.size() < params.maxNewTokens()
          && prompt.length + tokens.size() < config.maxPositions()) {
        float[] row;
        try (NDManager step = generation.newSubManager()) {
          long[] input;
          if (cache == null || tokens.isEmpty()) {
            input = new long[prompt.length + (cache == null ? tokens.size() : 0)];
            System.arraycopy(prompt, 0, input, 0, prompt.length);
            for (int i = prompt.length; i < input.length; i++) {
              input[i] = tokens.get(i - prompt.length);
            }
          } else {
            input = new long[] {tokens.get(tokens.size() - 1)};
          }
          NDArray ids = step.create(input, new Shape(1, input.length));
          NDArray last =
              forward(Parameter::getArray, ids, cache).get(new NDIndex("0, -1, :")); // (V)
          if (!greedy) {
            last = last.div((float) params.temperature()).softmax(-1);
          }
          row = last.toFloatArray();
        }
        TokenSampler.Draw draw = sampler.draw(row, 0, rng);
        tokens.add((long) draw.token());
        logProbs.add(draw.logProb());
        if (Arrays.stream(stopTokens).anyMatch(t -> t == draw.token())) {
          finished = true;
          break;
        }
      }
    }
    return new Generation(
        tokens.stream().mapToLong(Long::longValue).toArray(),
        logProbs.stream().mapToDouble(Double::doubleValue).toArray(),
        finished);
  }

  /** Log-softmax of {@link #logits} over the vocabulary, for inference. */
  public float[][] logProbs(long[] tokens) {
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = m.create(tokens, new Shape(1, tokens.length));
      NDArray logits = logits(Parameter::getArray, ids).logSoftmax(-1); // (1, T, V)
      float[] flat = logits.toType(DataType.FLOAT32, false).toFloatArray();
      int v = config.vocabSize();
      float[][] out = new float[tokens.length][v];
      for (int i = 0; i < tokens.length; i++) {
        System.arraycopy(flat, i * v, out[i], 0, v);
      }
      return out;
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray tokens = inputs.head();
    Function<Parameter, NDArray> p =
        param -> parameterStore.getValue(param, tokens.getDevice(), training);
    return new NDList(logits(p, tokens));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1), config.vocabSize())};
  }

  @Override
  public void close() {
    manager.close();
  }
}
