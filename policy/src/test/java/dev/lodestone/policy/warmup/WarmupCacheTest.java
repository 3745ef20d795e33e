package dev.lodestone.policy.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmupCacheTest {

  private static final ModelConfig SMALL =
      new ModelConfig(ByteTokenizer.VOCAB_SIZE, 32, 2, 1, 32, 64, true, 1e-5);
  private static final WarmupCorpus CORPUS =
      WarmupCorpus.of("Choose.", List.of("a", "bb"), 0.6, 0.4);
  private static final WarmupConfig CONFIG = new WarmupConfig(20, 8, 1e-2, 7, 0, 0.0, 1.0);

  @Test
  void secondRunLoadsTheSameWeightsFromDisk(@TempDir Path dir) {
    WarmupCache cache = new WarmupCache(dir);
    String sha;
    try (WarmupCache.Entry first = open(cache)) {
      assertThat(first.fromCache()).isFalse();
      assertThat(first.training().steps()).isEqualTo(20);
      assertThat(first.file()).exists();
      sha = first.model().sha256();
    }
    try (WarmupCache.Entry second = open(cache)) {
      assertThat(second.fromCache()).isTrue();
      assertThat(second.training()).isNull();
      assertThat(second.model().sha256()).isEqualTo(sha);
    }
    assertThat(dir).isDirectoryNotContaining("glob:**.tmp");
  }

  @Test
  void aCorruptEntryIsRebuiltNotFatal(@TempDir Path dir) throws IOException {
    WarmupCache cache = new WarmupCache(dir);
    String sha;
    Path file;
    try (WarmupCache.Entry first = open(cache)) {
      sha = first.model().sha256();
      file = first.file();
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(file, bytes);
    try (WarmupCache.Entry rebuilt = open(cache)) {
      assertThat(rebuilt.fromCache()).isFalse();
      assertThat(rebuilt.model().sha256()).isEqualTo(sha);
    }
    Files.write(file, new byte[] {1, 2, 3});
    try (WarmupCache.Entry rebuilt = open(cache)) {
      assertThat(rebuilt.fromCache()).isFalse();
    }
    try (WarmupCache.Entry again = open(cache)) {
      assertThat(again.fromCache()).isTrue();
    }
  }

  @Test
  void keyDependsOnTaskCorpusModelAndWarmupConfig() {
    String base = WarmupCache.key("perturbed-rps", CORPUS, SMALL, CONFIG);
    assertThat(base).hasSize(64).isEqualTo(WarmupCache.key("perturbed-rps", CORPUS, SMALL, CONFIG));
    assertThat(WarmupCache.key("rps", CORPUS, SMALL, CONFIG)).isNotEqualTo(base);
    assertThat(
            WarmupCache.key(
                "perturbed-rps",
                WarmupCorpus.of("Choose.", List.of("a", "bb"), 0.5, 0.5),
                SMALL,
                CONFIG))
        .isNotEqualTo(base);
    assertThat(WarmupCache.key("perturbed-rps", CORPUS, SMALL.withLayers(2), CONFIG))
        .isNotEqualTo(base);
    assertThat(
            WarmupCache.key(
                "perturbed-rps", CORPUS, SMALL, new WarmupConfig(20, 8, 1e-2, 8, 0, 0.0, 1.0)))
        .isNotEqualTo(base);
  }

  private static WarmupCache.Entry open(WarmupCache cache) {
    return cache.getOrTrain(
        "test-task", CORPUS, SMALL, CONFIG, Engines.device("cpu"), WarmupListener.NONE);
  }
}
