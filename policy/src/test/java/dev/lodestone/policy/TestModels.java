package dev.lodestone.policy;

import ai.djl.Device;

/** Small architectures and helpers shared by the tests. */
final class TestModels {

  private TestModels() {}

  /** A small model over the standard vocabulary: d 32, 2 heads, 2 layers, context 48. */
  static ModelConfig small() {
    return new ModelConfig(ByteTokenizer.VOCAB_SIZE, 32, 2, 2, 48, 64, true, 1e-5);
  }

  /** A tiny-vocabulary model: 3 byte tokens (0, 1, 2) and the 4 specials. */
  static ModelConfig tinyVocab() {
    return new ModelConfig(7, 16, 2, 1, 16, 32, false, 1e-5);
  }

  static PolicyModel create(ModelConfig config, long seed) {
    return PolicyModel.create(config, Engines.device("cpu"), seed);
  }

  static Device cpu() {
    return Engines.device("cpu");
  }
}
