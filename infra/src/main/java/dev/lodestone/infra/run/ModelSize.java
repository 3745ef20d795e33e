package dev.lodestone.infra.run;

import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.ModelConfig;
import java.util.Locale;

/**
 * The policy architectures the command line offers: {@code default} ({@link
 * ModelConfig#defaults()}, d 128, 2 layers, context 128) and {@code tiny} (d 32, 1 layer, context
 * 64: a few times faster, for tests and smoke runs).
 */
public enum ModelSize {
  /** d 32, 2 heads, 1 layer, context 64, MLP 64, byte vocabulary. */
  TINY(new ModelConfig(ByteTokenizer.VOCAB_SIZE, 32, 2, 1, 64, 64, true, 1e-5)),
  /** {@link ModelConfig#defaults()}. */
  DEFAULT(ModelConfig.defaults());

  private final ModelConfig config;

  ModelSize(ModelConfig config) {
    this.config = config;
  }

  /** The architecture. */
  public ModelConfig config() {
    return config;
  }

  /** The name on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The size named {@code tiny} or {@code default}.
   *
   * @throws IllegalArgumentException for another name
   */
  public static ModelSize parse(String s) {
    for (ModelSize m : values()) {
      if (m.id().equals(s)) {
        return m;
      }
    }
    throw new IllegalArgumentException("model must be tiny or default, got '" + s + "'");
  }
}
