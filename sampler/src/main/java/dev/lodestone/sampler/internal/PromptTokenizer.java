package dev.lodestone.sampler.internal;

import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.ModelConfig;

/**
 * Turns a prompt text into the tokens a model is conditioned on, checking that the model can take
 * it: every byte in its vocabulary, and room in its context for {@code maxNewTokens} more tokens.
 */
public final class PromptTokenizer {
  private final ModelConfig config;
  private final ByteTokenizer tokenizer;
  private final int maxNewTokens;

  /** A tokenizer for models of this architecture, with room for {@code maxNewTokens}. */
  public PromptTokenizer(ModelConfig config, int maxNewTokens) {
    this.config = config;
    this.tokenizer = ByteTokenizer.forConfig(config);
    this.maxNewTokens = maxNewTokens;
  }

  /**
   * The prompt's tokens.
   *
   * @throws Rejected when the model cannot take the prompt
   */
  public int[] tokens(String text) {
    int[] tokens;
    try {
      tokens = tokenizer.encodePrompt(text);
    } catch (IllegalArgumentException e) {
      throw new Rejected(false, e.getMessage());
    }
    int needed = tokens.length + maxNewTokens - 1;
    if (needed > config.contextLength()) {
      throw new Rejected(
          true,
          "the prompt has "
              + tokens.length
              + " tokens; with maxNewTokens "
              + maxNewTokens
              + " it needs "
              + needed
              + " positions but the model's contextLength is "
              + config.contextLength());
    }
    return tokens;
  }

  /** The model cannot take a prompt. */
  public static final class Rejected extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean tooLong;

    Rejected(boolean tooLong, String message) {
      super(message);
      this.tooLong = tooLong;
    }

    /** True when the prompt is too long, false when it cannot be encoded. */
    public boolean tooLong() {
      return tooLong;
    }
  }
}
