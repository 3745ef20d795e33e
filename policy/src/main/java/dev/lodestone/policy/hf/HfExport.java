package dev.lodestone.policy.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes Lodestone's byte-level policy as a Hugging Face GPT-2 directory ({@code GPT2LMHeadModel}):
 * the byte-level model is GPT-2's architecture with the exact GELU ({@code activation_function:
 * gelu}), so the mapping is one of names and layouts only: {@code Conv1D} weights are the
 * transposes of the linear layers' {@code (out, in)} weights; an untied head is {@code
 * lm_head.weight} with {@code tie_word_embeddings: false}.
 *
 * <p>The tokenizer is written as Hugging Face's byte-level BPE without merges: each byte is its own
 * token with the byte's value as id, as in {@link ByteTokenizer}, and the specials {@code <|bos|>}
 * 256, {@code <|eos|>} 257, {@code <|pad|>} 258, {@code <|sep|>} 259 are added tokens. A prompt is
 * {@code <|bos|>} + text + {@code <|sep|>}, and a response ends with {@code <|eos|>}; {@code
 * generation_config.json} names them.
 */
public final class HfExport {

  /** The special tokens' names, by id. */
  public static final Map<Integer, String> SPECIALS =
      Map.of(
          ByteTokenizer.BOS, "<|bos|>",
          ByteTokenizer.EOS, "<|eos|>",
          ByteTokenizer.PAD, "<|pad|>",
          ByteTokenizer.SEP, "<|sep|>");

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final Pattern LAYER = Pattern.compile("\\d+layer(\\d+)_(.+)");

  private HfExport() {}

  /**
   * Writes {@code model} to {@code dir} (created if needed; it must not hold a checkpoint yet),
   * weights stored as {@code dtype}.
   *
   * @return the configuration written
   * @throws IllegalArgumentException if the model has a reduced vocabulary (the tokenizer maps only
   *     the full byte vocabulary) or the directory already holds a checkpoint
   */
  public static HfConfig writeGpt2(PolicyModel model, Path dir, Safetensors.Dtype dtype)
      throws IOException {
    ModelConfig c = model.config();
    if (c.vocabSize() != ByteTokenizer.VOCAB_SIZE) {
      throw new IllegalArgumentException(
          "only models over the full byte vocabulary ("
              + ByteTokenizer.VOCAB_SIZE
              + " tokens) are exported, this one has "
              + c.vocabSize());
    }
    if (Files.exists(dir.resolve("config.json"))) {
      throw new IllegalArgumentException(dir + " already holds a checkpoint (config.json)");
    }
    ObjectNode config = JSON.createObjectNode();
    config.putArray("architectures").add("GPT2LMHeadModel");
    config.put("model_type", "gpt2");
    config.put("vocab_size", c.vocabSize());
    config.put("n_embd", c.dModel());
    config.put("n_layer", c.layers());
    config.put("n_head", c.heads());
    config.put("n_positions", c.contextLength());
    config.put("n_ctx", c.contextLength());
    config.put("n_inner", c.mlpHidden());
    config.put("activation_function", "gelu");
    config.put("layer_norm_epsilon", c.layerNormEps());
    config.put("tie_word_embeddings", c.tiedHead());
    config.put("resid_pdrop", 0.0);
    config.put("embd_pdrop", 0.0);
    config.put("attn_pdrop", 0.0);
    config.put("bos_token_id", ByteTokenizer.BOS);
    config.put("eos_token_id", ByteTokenizer.EOS);
    config.put("pad_token_id", ByteTokenizer.PAD);
    config.put("torch_dtype", dtype.torchName());
    HfConfig parsed = HfConfig.parse(config);

    Map<String, Parameter> params = model.parameters();
    Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> global = new HashMap<>();
    global.put("token_embedding", "wte.weight");
    global.put("position_embedding", "wpe.weight");
    global.put("final_gamma", "ln_f.weight");
    global.put("final_beta", "ln_f.bias");
    global.put("head_weight", "lm_head.weight");
    Map<String, String> layer = new HashMap<>();
    layer.put("ln1_gamma", "ln_1.weight");
    layer.put("ln1_beta", "ln_1.bias");
    layer.put("qkv_weight", "attn.c_attn.weight");
    layer.put("qkv_bias", "attn.c_attn.bias");
    layer.put("proj_weight", "attn.c_proj.weight");
    layer.put("proj_bias", "attn.c_proj.bias");
    layer.put("ln2_gamma", "ln_2.weight");
    layer.put("ln2_beta", "ln_2.bias");
    layer.put("fc1_weight", "mlp.c_fc.weight");
    layer.put("fc1_bias", "mlp.c_fc.bias");
    layer.put("fc2_weight", "mlp.c_proj.weight");
    layer.put("fc2_bias", "mlp.c_proj.bias");
    Map<String, Safetensors.Tensor> byName = new HashMap<>();
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      String name = e.getKey();
      NDArray a = e.getValue().getArray();
      String target;
      boolean transpose = false;
      Matcher m = LAYER.matcher(name);
      if (m.matches()) {
        target = "h." + m.group(1) + "." + layer.get(m.group(2));
        transpose = m.group(2).endsWith("_weight"); // Linear (out, in) -> Conv1D (in, out)
        if (layer.get(m.group(2)) == null) {
          throw new IllegalStateException("no GPT-2 name for parameter " + name);
        }
      } else {
        target = global.get(name);
        if (target == null) {
          throw new IllegalStateException("no GPT-2 name for parameter " + name);
        }
      }
      NDArray value = transpose ? a.transpose() : a;
      byName.put(target, new Safetensors.Tensor(value.getShape().getShape(), value.toFloatArray()));
      if (transpose) {
        value.close();
      }
    }
    for (Map.Entry<String, long[]> e : parsed.expectedTensors().entrySet()) {
      Safetensors.Tensor t = byName.get(e.getKey());
      if (t == null || !Arrays.equals(t.shape(), e.getValue())) {
        throw new IllegalStateException("the model has no " + e.getKey() + " of the GPT-2 shape");
      }
      tensors.put(e.getKey(), t);
    }

    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
    Safetensors.write(dir.resolve(HfCheckpoint.WEIGHTS), tensors, dtype, Map.of("format", "pt"));
    JSON.writeValue(dir.resolve(HfCheckpoint.TOKENIZER).toFile(), tokenizer());
    ObjectNode generation = JSON.createObjectNode();
    generation.put("bos_token_id", ByteTokenizer.BOS);
    generation.put("eos_token_id", ByteTokenizer.EOS);
    generation.put("pad_token_id", ByteTokenizer.PAD);
    JSON.writeValue(dir.resolve(HfCheckpoint.GENERATION_CONFIG).toFile(), generation);
    return parsed;
  }

  /** Byte-level BPE without merges: byte b is token b; the four specials follow. */
  private static ObjectNode tokenizer() {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    char[] table = ByteLevelBpe.byteToChar();
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(table[b]), b);
    }
    Map<Integer, String> specials = new LinkedHashMap<>();
    for (int id = ByteTokenizer.BOS; id <= ByteTokenizer.SEP; id++) {
      specials.put(id, SPECIALS.get(id));
    }
    return ByteLevelBpe.tokenizerJson(vocab, List.of(), specials, false, false);
  }
}
