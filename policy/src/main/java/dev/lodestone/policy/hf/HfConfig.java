package dev.lodestone.policy.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The architecture of a Hugging Face causal language model, read from its {@code config.json}.
 *
 * <p>Two families are read. {@link Family#LLAMA}: {@code model_type} {@code llama} (Llama 2 and 3,
 * SmolLM), {@code qwen2} (Qwen2, Qwen2.5) and {@code mistral}: RMSNorm, rotary position embeddings
 * (with the config's {@code rope_scaling} of type {@code linear} or {@code llama3}), a SwiGLU MLP,
 * grouped-query attention, tied or untied embeddings; Qwen2 adds biases to the query, key and value
 * projections. {@link Family#GPT2}: {@code model_type} {@code gpt2}: learned positions, LayerNorm,
 * a GELU MLP ({@code gelu_new}, the tanh approximation, or {@code gelu}, the exact one), fused
 * query-key-value projection, tied or untied embeddings.
 *
 * <p>Field defaults are those of the {@code transformers} configuration classes where a config
 * leaves a field out.
 *
 * @param family the architecture family
 * @param modelType the config's {@code model_type}
 * @param architecture the config's {@code architectures[0]} (for example {@code LlamaForCausalLM}),
 *     or the family's class name if absent
 * @param vocabSize tokens in the vocabulary (rows of the embedding)
 * @param hiddenSize the residual stream's width
 * @param layers decoder layers
 * @param heads query heads
 * @param kvHeads key/value heads (grouped-query attention when fewer than {@code heads})
 * @param headDim width of one head
 * @param intermediateSize width of the MLP's hidden layer
 * @param maxPositions the longest context the model was trained for
 * @param normEps epsilon of RMSNorm or LayerNorm
 * @param ropeTheta base of the rotary frequencies (LLAMA only; 0 for GPT2)
 * @param ropeScaling the rotary scaling, or {@link RopeScaling#NONE}
 * @param tieEmbeddings whether the output projection is the embedding
 * @param qkvBias whether the query, key and value projections have biases (Qwen2, or Llama's {@code
 *     attention_bias})
 * @param outputBias whether the attention output projection has a bias (Llama's {@code
 *     attention_bias})
 * @param mlpBias whether the MLP projections have biases (Llama's {@code mlp_bias})
 * @param slidingWindow Mistral's sliding attention window, 0 for none
 * @param torchDtype the config's {@code torch_dtype} (or {@code dtype}), or {@code float32}
 * @param activation the MLP's activation: {@code silu} (Llama family), {@code gelu_new} or {@code
 *     gelu} (GPT-2)
 */
public record HfConfig(
    Family family,
    String modelType,
    String architecture,
    int vocabSize,
    int hiddenSize,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    int intermediateSize,
    int maxPositions,
    double normEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    boolean tieEmbeddings,
    boolean qkvBias,
    boolean outputBias,
    boolean mlpBias,
    int slidingWindow,
    String torchDtype,
    String activation) {

  /** The architecture families Lodestone builds. */
  public enum Family {
    /** Llama, Qwen2, Mistral, SmolLM. */
    LLAMA,
    /** GPT-2. */
    GPT2
  }

  /**
   * Rotary frequency scaling.
   *
   * @param type {@code none}, {@code linear} (positions divided by {@code factor}) or {@code
   *     llama3} (low frequencies divided by {@code factor}, a smooth band between)
   * @param factor the scaling factor
   * @param lowFreqFactor llama3's low-frequency factor
   * @param highFreqFactor llama3's high-frequency factor
   * @param originalMaxPositions llama3's original context length
   */
  public record RopeScaling(
      String type,
      double factor,
      double lowFreqFactor,
      double highFreqFactor,
      int originalMaxPositions) {

    /** No scaling. */
    public static final RopeScaling NONE = new RopeScaling("none", 1, 0, 0, 0);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final List<String> LLAMA_TYPES = List.of("llama", "qwen2", "mistral");

  /** Checks the sizes. */
  public HfConfig {
    if (vocabSize < 1 || hiddenSize < 1 || layers < 1 || heads < 1 || kvHeads < 1) {
      throw new IllegalArgumentException(
          "vocab, hidden size, layers and heads must be positive: "
              + vocabSize
              + ", "
              + hiddenSize
              + ", "
              + layers
              + ", "
              + heads
              + ", "
              + kvHeads);
    }
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException(
          "num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
    }
    if (family == Family.GPT2 && hiddenSize % heads != 0) {
      throw new IllegalArgumentException(
          "n_embd " + hiddenSize + " is not a multiple of n_head " + heads);
    }
  }

  /** Reads {@code config.json} in {@code dir}. */
  public static HfConfig read(Path dir) throws IOException {
    Path file = dir.resolve("config.json");
    if (!Files.isRegularFile(file)) {
      throw new CheckpointFormatException(file, "missing (every checkpoint needs its config.json)");
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "not valid JSON: " + e.getMessage());
    }
    try {
      return parse(root);
    } catch (IllegalArgumentException e) {
      throw new CheckpointFormatException(file, e.getMessage());
    }
  }

  /** Parses a {@code config.json} tree. */
  public static HfConfig parse(JsonNode root) {
    String type = root.path("model_type").asText("");
    String arch =
        root.path("architectures").isArray() && root.path("architectures").size() > 0
            ? root.path("architectures").get(0).asText()
            : "";
    if (LLAMA_TYPES.contains(type)) {
      return parseLlama(root, type, arch);
    }
    if (type.equals("gpt2")) {
      return parseGpt2(root, arch);
    }
    throw new IllegalArgumentException(
        "unknown architecture: model_type '"
            + type
            + "'"
            + (arch.isEmpty() ? "" : " (" + arch + ")")
            + "; Lodestone builds llama, qwen2, mistral and gpt2");
  }

  private static HfConfig parseLlama(JsonNode c, String type, String arch) {
    String act = c.path("hidden_act").asText("silu");
    if (!act.equals("silu")) {
      throw new IllegalArgumentException("hidden_act '" + act + "' is not supported (silu only)");
    }
    int hidden = required(c, "hidden_size");
    int heads = required(c, "num_attention_heads");
    int kvHeads =
        c.path("num_key_value_heads").isNumber() ? c.get("num_key_value_heads").asInt() : heads;
    int headDim = c.path("head_dim").isNumber() ? c.get("head_dim").asInt() : hidden / heads;
    if (!c.path("head_dim").isNumber() && hidden % heads != 0) {
      throw new IllegalArgumentException(
          "hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
    }
    boolean qwen = type.equals("qwen2");
    boolean attentionBias = c.path("attention_bias").asBoolean(false);
    int slidingWindow = 0;
    if (type.equals("mistral") && c.path("sliding_window").isNumber()) {
      slidingWindow = c.get("sliding_window").asInt();
    }
    if (qwen && c.path("use_sliding_window").asBoolean(false)) {
      throw new IllegalArgumentException("use_sliding_window is not supported for qwen2");
    }
    return new HfConfig(
        Family.LLAMA,
        type,
        arch.isEmpty() ? defaultArchitecture(type) : arch,
        required(c, "vocab_size"),
        hidden,
        required(c, "num_hidden_layers"),
        heads,
        kvHeads,
        headDim,
        required(c, "intermediate_size"),
        c.path("max_position_embeddings").asInt(2048),
        c.path("rms_norm_eps").asDouble(1e-6),
        c.path("rope_theta").asDouble(10000),
        ropeScaling(c.path("rope_scaling")),
        c.path("tie_word_embeddings").asBoolean(false),
        qwen || attentionBias,
        !qwen && attentionBias,
        !qwen && c.path("mlp_bias").asBoolean(false),
        slidingWindow,
        dtype(c),
        "silu");
  }

  private static HfConfig parseGpt2(JsonNode c, String arch) {
    String act = c.path("activation_function").asText("gelu_new");
    if (!act.equals("gelu_new") && !act.equals("gelu")) {
      throw new IllegalArgumentException(
          "activation_function '" + act + "' is not supported (gelu_new, gelu)");
    }
    int hidden = c.path("n_embd").asInt(768);
    int inner = c.path("n_inner").isNumber() ? c.get("n_inner").asInt() : 4 * hidden;
    int heads = c.path("n_head").asInt(12);
    return new HfConfig(
        Family.GPT2,
        "gpt2",
        arch.isEmpty() ? "GPT2LMHeadModel" : arch,
        c.path("vocab_size").asInt(50257),
        hidden,
        c.path("n_layer").asInt(12),
        heads,
        heads,
        hidden / heads,
        inner,
        c.path("n_positions").asInt(1024),
        c.path("layer_norm_epsilon").asDouble(1e-5),
        0,
        RopeScaling.NONE,
        c.path("tie_word_embeddings").asBoolean(true),
        true,
        true,
        true,
        0,
        dtype(c),
        act);
  }

  private static RopeScaling ropeScaling(JsonNode s) {
    if (s.isMissingNode() || s.isNull()) {
      return RopeScaling.NONE;
    }
    String type = s.has("rope_type") ? s.get("rope_type").asText() : s.path("type").asText("");
    double factor = s.path("factor").asDouble(1);
    switch (type) {
      case "default":
        return RopeScaling.NONE;
      case "linear":
        return new RopeScaling("linear", factor, 0, 0, 0);
      case "llama3":
        return new RopeScaling(
            "llama3",
            factor,
            s.path("low_freq_factor").asDouble(1),
            s.path("high_freq_factor").asDouble(4),
            s.path("original_max_position_embeddings").asInt(8192));
      default:
        throw new IllegalArgumentException(
            "rope_scaling type '" + type + "' is not supported (linear, llama3)");
    }
  }

  private static String dtype(JsonNode c) {
    if (c.path("torch_dtype").isTextual()) {
      return c.get("torch_dtype").asText();
    }
    return c.path("dtype").asText("float32");
  }

  private static int required(JsonNode c, String field) {
    if (!c.path(field).isNumber()) {
      throw new IllegalArgumentException("missing or non-numeric field " + field);
    }
    return c.get(field).asInt();
  }

  private static String defaultArchitecture(String type) {
    return switch (type) {
      case "qwen2" -> "Qwen2ForCausalLM";
      case "mistral" -> "MistralForCausalLM";
      default -> "LlamaForCausalLM";
    };
  }

  /**
   * The parameters the architecture has, by their names in the checkpoint, with their shapes
   * (PyTorch's layout: a linear layer's weight is {@code [out, in]}; GPT-2's {@code Conv1D} weights
   * are {@code [in, out]}), in the order of the model.
   */
  public Map<String, long[]> expectedTensors() {
    Map<String, long[]> t = new LinkedHashMap<>();
    long h = hiddenSize;
    long v = vocabSize;
    long i = intermediateSize;
    if (family == Family.LLAMA) {
      long q = (long) heads * headDim;
      long kv = (long) kvHeads * headDim;
      t.put("model.embed_tokens.weight", new long[] {v, h});
      for (int l = 0; l < layers; l++) {
        String p = "model.layers." + l + ".";
        t.put(p + "input_layernorm.weight", new long[] {h});
        t.put(p + "self_attn.q_proj.weight", new long[] {q, h});
        t.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
        t.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
        if (qkvBias) {
          t.put(p + "self_attn.q_proj.bias", new long[] {q});
          t.put(p + "self_attn.k_proj.bias", new long[] {kv});
          t.put(p + "self_attn.v_proj.bias", new long[] {kv});
        }
        t.put(p + "self_attn.o_proj.weight", new long[] {h, q});
        if (outputBias) {
          t.put(p + "self_attn.o_proj.bias", new long[] {h});
        }
        t.put(p + "post_attention_layernorm.weight", new long[] {h});
        t.put(p + "mlp.gate_proj.weight", new long[] {i, h});
        t.put(p + "mlp.up_proj.weight", new long[] {i, h});
        t.put(p + "mlp.down_proj.weight", new long[] {h, i});
        if (mlpBias) {
          t.put(p + "mlp.gate_proj.bias", new long[] {i});
          t.put(p + "mlp.up_proj.bias", new long[] {i});
          t.put(p + "mlp.down_proj.bias", new long[] {h});
        }
      }
      t.put("model.norm.weight", new long[] {h});
      if (!tieEmbeddings) {
        t.put("lm_head.weight", new long[] {v, h});
      }
    } else {
      t.put("wte.weight", new long[] {v, h});
      t.put("wpe.weight", new long[] {maxPositions, h});
      for (int l = 0; l < layers; l++) {
        String p = "h." + l + ".";
        t.put(p + "ln_1.weight", new long[] {h});
        t.put(p + "ln_1.bias", new long[] {h});
        t.put(p + "attn.c_attn.weight", new long[] {h, 3 * h});
        t.put(p + "attn.c_attn.bias", new long[] {3 * h});
        t.put(p + "attn.c_proj.weight", new long[] {h, h});
        t.put(p + "attn.c_proj.bias", new long[] {h});
        t.put(p + "ln_2.weight", new long[] {h});
        t.put(p + "ln_2.bias", new long[] {h});
        t.put(p + "mlp.c_fc.weight", new long[] {h, i});
        t.put(p + "mlp.c_fc.bias", new long[] {i});
        t.put(p + "mlp.c_proj.weight", new long[] {i, h});
        t.put(p + "mlp.c_proj.bias", new long[] {h});
      }
      t.put("ln_f.weight", new long[] {h});
      t.put("ln_f.bias", new long[] {h});
      if (!tieEmbeddings) {
        t.put("lm_head.weight", new long[] {v, h});
      }
    }
    return t;
  }

  /**
   * The name under which a checkpoint's tensor is expected, or null for a tensor that carries no
   * parameter and is ignored: rotary {@code inv_freq} buffers, GPT-2's causal-mask buffers ({@code
   * attn.bias}, {@code attn.masked_bias}), and an {@code lm_head.weight} beside tied embeddings.
   * GPT-2's names are read with or without the {@code transformer.} prefix.
   */
  public String canonicalName(String name) {
    if (name.endsWith("rotary_emb.inv_freq")) {
      return null;
    }
    if (family == Family.GPT2) {
      String n = name.startsWith("transformer.") ? name.substring("transformer.".length()) : name;
      if (n.endsWith("attn.bias") && !n.endsWith("c_attn.bias") || n.endsWith("attn.masked_bias")) {
        return null;
      }
      if (n.equals("lm_head.weight") && tieEmbeddings) {
        return null;
      }
      return n;
    }
    if (tieEmbeddings && name.equals("lm_head.weight")) {
      return null;
    }
    return name;
  }

  /** The number of parameters (tied embeddings counted once). */
  public long parameterCount() {
    long n = 0;
    for (long[] shape : expectedTensors().values()) {
      long e = 1;
      for (long d : shape) {
        e *= d;
      }
      n += e;
    }
    return n;
  }
}
