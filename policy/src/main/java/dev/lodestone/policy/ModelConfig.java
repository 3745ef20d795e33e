package dev.lodestone.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The architecture of a {@link PolicyModel}: a GPT-style decoder over a byte-level vocabulary.
 *
 * <p>The vocabulary is {@code vocabSize - 4} ordinary tokens (bytes {@code 0 .. vocabSize - 5})
 * followed by four special tokens: {@link #bosId()}, {@link #eosId()}, {@link #padId()} and {@link
 * #sepId()}. The standard vocabulary ({@link ByteTokenizer#VOCAB_SIZE} = 260) covers every byte;
 * smaller vocabularies exist for exhaustive tests over tiny alphabets.
 *
 * @param vocabSize number of token ids, in {@code [5, 260]}
 * @param dModel width of the residual stream (D)
 * @param heads number of attention heads (H); must divide {@code dModel}
 * @param layers number of decoder blocks
 * @param contextLength the most input positions the model sees (C); the prompt plus the response
 *     without its last token must fit
 * @param mlpHidden hidden width of each block's MLP (F)
 * @param tiedHead whether the output head reuses the token embedding matrix
 * @param layerNormEps epsilon of every layer norm
 */
public record ModelConfig(
    int vocabSize,
    int dModel,
    int heads,
    int layers,
    int contextLength,
    int mlpHidden,
    boolean tiedHead,
    double layerNormEps) {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  /** Validates every field; the error names the field and the bad value. */
  public ModelConfig {
    if (vocabSize < 5 || vocabSize > ByteTokenizer.VOCAB_SIZE) {
      throw new IllegalArgumentException(
          "vocabSize must be in [5, " + ByteTokenizer.VOCAB_SIZE + "], got " + vocabSize);
    }
    requirePositive("dModel", dModel);
    requirePositive("heads", heads);
    requirePositive("layers", layers);
    requirePositive("mlpHidden", mlpHidden);
    if (dModel % heads != 0) {
      throw new IllegalArgumentException(
          "heads must divide dModel, got heads " + heads + " and dModel " + dModel);
    }
    if (contextLength < 2) {
      throw new IllegalArgumentException("contextLength must be at least 2, got " + contextLength);
    }
    if (!(layerNormEps > 0) || !Double.isFinite(layerNormEps)) {
      throw new IllegalArgumentException(
          "layerNormEps must be positive and finite, got " + layerNormEps);
    }
  }

  /** The defaults: standard byte vocabulary, d 128, 4 heads, 2 layers, context 128, MLP 512. */
  public static ModelConfig defaults() {
    return new ModelConfig(ByteTokenizer.VOCAB_SIZE, 128, 4, 2, 128, 512, true, 1e-5);
  }

  /** A copy with another width; the MLP keeps its 4x ratio. */
  public ModelConfig withDModel(int d) {
    return new ModelConfig(
        vocabSize, d, heads, layers, contextLength, 4 * d, tiedHead, layerNormEps);
  }

  /** A copy with another number of layers. */
  public ModelConfig withLayers(int n) {
    return new ModelConfig(
        vocabSize, dModel, heads, n, contextLength, mlpHidden, tiedHead, layerNormEps);
  }

  /** A copy with another context length. */
  public ModelConfig withContextLength(int c) {
    return new ModelConfig(vocabSize, dModel, heads, layers, c, mlpHidden, tiedHead, layerNormEps);
  }

  /** A copy with a tied or untied output head. */
  public ModelConfig withTiedHead(boolean tied) {
    return new ModelConfig(
        vocabSize, dModel, heads, layers, contextLength, mlpHidden, tied, layerNormEps);
  }

  /** Width of one attention head (E = D / H). */
  public int headDim() {
    return dModel / heads;
  }

  /** The beginning-of-sequence token id ({@code vocabSize - 4}). */
  public int bosId() {
    return vocabSize - 4;
  }

  /** The end-of-sequence token id ({@code vocabSize - 3}). */
  public int eosId() {
    return vocabSize - 3;
  }

  /** The padding token id ({@code vocabSize - 2}). */
  public int padId() {
    return vocabSize - 2;
  }

  /** The prompt/response separator token id ({@code vocabSize - 1}). */
  public int sepId() {
    return vocabSize - 1;
  }

  /** Number of ordinary (byte) tokens: ids {@code 0 .. byteTokens() - 1}. */
  public int byteTokens() {
    return vocabSize - 4;
  }

  /** The number of trainable scalars. */
  public long parameterCount() {
    long d = dModel;
    long perLayer = 2 * d + (3 * d * d + 3 * d) + (d * d + d) + 2 * d + (mlpHidden * d + mlpHidden);
    perLayer += d * mlpHidden + d;
    long total = (long) vocabSize * d + (long) contextLength * d + layers * perLayer + 2 * d;
    return tiedHead ? total : total + (long) vocabSize * d;
  }

  /** This configuration as compact JSON, fields in declaration order (stable across runs). */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write model config as JSON", e);
    }
  }

  /**
   * Parses {@link #toJson()} output.
   *
   * @throws IllegalArgumentException when the text is not a valid configuration
   */
  public static ModelConfig fromJson(String json) {
    try {
      return JSON.readValue(json, ModelConfig.class);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
      throw new IllegalArgumentException(
          "invalid model config JSON: " + cause.getMessage() + " in " + abbreviate(json), cause);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  private static void requirePositive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
  }
}
