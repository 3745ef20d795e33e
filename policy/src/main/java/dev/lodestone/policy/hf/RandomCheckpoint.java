package dev.lodestone.policy.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes a small Hugging Face checkpoint with seeded random weights: {@code config.json}, {@code
 * model.safetensors}, {@code tokenizer.json} (a byte-level BPE tokenizer like GPT-2's, over the 256
 * bytes plus a few merges and one special token, {@code <|endoftext|>}) and {@code
 * generation_config.json}. Tests and the end-to-end run use it where a user would bring a
 * downloaded checkpoint; nothing is downloaded.
 *
 * @param modelType {@code llama}, {@code qwen2}, {@code mistral} or {@code gpt2}
 * @param hiddenSize the residual width
 * @param layers decoder layers
 * @param heads query heads
 * @param kvHeads key/value heads (Llama family; GPT-2 uses {@code heads})
 * @param intermediateSize the MLP width (GPT-2: 4 x hidden is the only width Jlama reads, but any
 *     is written)
 * @param maxPositions the context length
 * @param tieEmbeddings whether the output projection is the embedding (GPT-2 always ties)
 */
public record RandomCheckpoint(
    String modelType,
    int hiddenSize,
    int layers,
    int heads,
    int kvHeads,
    int intermediateSize,
    int maxPositions,
    boolean tieEmbeddings) {

  /** Words whose letters the tokenizer merges, so that a word spans fewer tokens than bytes. */
  private static final List<String> MERGED_WORDS =
      List.of("rock", "paper", "scissors", "slow", "soft", "sure", "the", "and");

  /** The special token, also beginning and end of sequence. */
  public static final String END_OF_TEXT = "<|endoftext|>";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * A model of about 120 k parameters: d 64, 2 layers, 4 heads of width 16, 2 key/value heads, MLP
   * 128 (GPT-2: 256, the 4 x d it always has), context 64, vocabulary 292.
   */
  public static RandomCheckpoint tiny(String modelType) {
    return new RandomCheckpoint(
        modelType, 64, 2, 4, 2, modelType.equals("gpt2") ? 256 : 128, 64, false);
  }

  /**
   * Writes the checkpoint to {@code dir} (created if needed) with weights from {@code seed}, stored
   * as {@code dtype}.
   *
   * @return the configuration as written
   */
  public HfConfig write(Path dir, long seed, Safetensors.Dtype dtype) throws IOException {
    Tokenizer tokenizer = tokenizer();
    ObjectNode config = config(tokenizer.vocabSize(), tokenizer.endOfText(), dtype);
    HfConfig parsed = HfConfig.parse(config); // refuses bad sizes before anything is written
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
    Random random = new Random(seed);
    Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : parsed.expectedTensors().entrySet()) {
      long[] shape = e.getValue();
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      float[] values = new float[Math.toIntExact(n)];
      boolean norm = e.getKey().contains("norm") || e.getKey().contains("ln_");
      for (int i = 0; i < values.length; i++) {
        double g = random.nextGaussian();
        if (norm && e.getKey().endsWith("weight")) {
          values[i] = (float) (1 + 0.1 * g);
        } else if (shape.length == 1) {
          values[i] = (float) (0.05 * g);
        } else {
          values[i] = (float) (g / Math.sqrt(shape[shape.length - 1]));
        }
      }
      tensors.put(e.getKey(), new Safetensors.Tensor(shape, values));
    }
    Safetensors.write(dir.resolve(HfCheckpoint.WEIGHTS), tensors, dtype, Map.of("format", "pt"));
    JSON.writeValue(dir.resolve(HfCheckpoint.TOKENIZER).toFile(), tokenizer.json());
    ObjectNode generation = JSON.createObjectNode();
    generation.put("bos_token_id", tokenizer.endOfText());
    generation.put("eos_token_id", tokenizer.endOfText());
    JSON.writeValue(dir.resolve(HfCheckpoint.GENERATION_CONFIG).toFile(), generation);
    return parsed;
  }

  private ObjectNode config(int vocab, int endOfText, Safetensors.Dtype dtype) {
    ObjectNode c = JSON.createObjectNode();
    if (modelType.equals("gpt2")) {
      c.putArray("architectures").add("GPT2LMHeadModel");
      c.put("model_type", "gpt2");
      c.put("vocab_size", vocab);
      c.put("n_embd", hiddenSize);
      c.put("n_layer", layers);
      c.put("n_head", heads);
      c.put("n_positions", maxPositions);
      c.put("n_ctx", maxPositions);
      c.put("n_inner", intermediateSize);
      c.put("activation_function", "gelu_new");
      c.put("layer_norm_epsilon", 1e-5);
    } else {
      String arch =
          switch (modelType) {
            case "llama" -> "LlamaForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            case "mistral" -> "MistralForCausalLM";
            default ->
                throw new IllegalArgumentException(
                    "model type " + modelType + " (llama, qwen2, mistral, gpt2)");
          };
      c.putArray("architectures").add(arch);
      c.put("model_type", modelType);
      c.put("vocab_size", vocab);
      c.put("hidden_size", hiddenSize);
      c.put("intermediate_size", intermediateSize);
      c.put("num_hidden_layers", layers);
      c.put("num_attention_heads", heads);
      c.put("num_key_value_heads", kvHeads);
      c.put("max_position_embeddings", maxPositions);
      c.put("rms_norm_eps", 1e-6);
      c.put("rope_theta", 10000.0);
      c.put("hidden_act", "silu");
      c.put("tie_word_embeddings", tieEmbeddings);
      if (modelType.equals("mistral")) {
        c.putNull("sliding_window");
      }
    }
    c.put("bos_token_id", endOfText);
    c.put("eos_token_id", endOfText);
    c.put("torch_dtype", dtype.torchName());
    return c;
  }

  /** The byte-level BPE tokenizer written beside the weights. */
  record Tokenizer(Map<String, Integer> vocab, List<String> merges, int endOfText) {

    int vocabSize() {
      return endOfText + 1;
    }

    ObjectNode json() {
      return ByteLevelBpe.tokenizerJson(vocab, merges, Map.of(endOfText, END_OF_TEXT), true, true);
    }
  }

  private static String merge(
      Map<String, Integer> vocab, List<String> merges, String left, String right) {
    String merged = left + right;
    if (!vocab.containsKey(merged)) {
      merges.add(left + " " + right);
      vocab.put(merged, vocab.size());
    }
    return merged;
  }

  static Tokenizer tokenizer() {
    char[] table = ByteLevelBpe.byteToChar();
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(table[b]), b);
    }
    List<String> merges = new ArrayList<>();
    String space = String.valueOf(table[' ']);
    for (String word : MERGED_WORDS) {
      // The word's letters merged left to right, then the word with a leading space.
      String left = word.substring(0, 1);
      for (int i = 1; i < word.length(); i++) {
        left = merge(vocab, merges, left, word.substring(i, i + 1));
      }
      merge(vocab, merges, space, word);
    }
    return new Tokenizer(vocab, merges, vocab.size());
  }
}
