package dev.lodestone.policy.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.SamplingParams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HfCausalLmTest {

  private static final long[] PROMPT = {291, 258, 264, 44};

  private static final long[] NONE = {};

  @TempDir Path dir;

  /** A checkpoint of {@code type}; for mistral with a sliding window of 5, shorter than a reply. */
  private HfCausalLm model(String type) throws IOException {
    Path d = dir.resolve(type);
    RandomCheckpoint.tiny(type).write(d, 21, Safetensors.Dtype.F32);
    if (type.equals("mistral")) {
      ObjectMapper json = new ObjectMapper();
      ObjectNode c = (ObjectNode) json.readTree(d.resolve("config.json").toFile());
      c.put("sliding_window", 5);
      json.writeValue(d.resolve("config.json").toFile(), c);
    }
    HfCausalLm lm = HfCausalLm.load(HfCheckpoint.open(d), Engines.device("cpu"));
    if (type.equals("mistral")) {
      assertThat(lm.config().slidingWindow()).isEqualTo(5);
    }
    return lm;
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "qwen2", "mistral", "gpt2"})
  void decodingWithTheCacheDrawsWhatRecomputingDraws(String type) throws IOException {
    try (HfCausalLm lm = model(type)) {
      SamplingParams cached = new SamplingParams(1.0, 1.0, 24, true);
      HfCausalLm.Generation a = lm.generate(PROMPT, cached, NONE, new SplittableRandom(3));
      HfCausalLm.Generation b =
          lm.generate(PROMPT, cached.withKvCache(false), NONE, new SplittableRandom(3));
      assertThat(a.tokens()).hasSize(24).containsExactly(b.tokens());
      assertThat(a.logProbs()).containsExactly(b.logProbs(), within(1e-5));
      HfCausalLm.Generation g1 = lm.generate(PROMPT, SamplingParams.greedy(12), NONE, null);
      HfCausalLm.Generation g2 =
          lm.generate(PROMPT, SamplingParams.greedy(12).withKvCache(false), NONE, null);
      assertThat(g1.tokens()).containsExactly(g2.tokens());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "mistral", "gpt2"})
  void sampledLogProbsEqualTheScoredOnes(String type) throws IOException {
    try (HfCausalLm lm = model(type)) {
      HfCausalLm.Generation g =
          lm.generate(PROMPT, SamplingParams.of(30), NONE, new SplittableRandom(5));
      long[] all = new long[PROMPT.length + g.tokens().length];
      System.arraycopy(PROMPT, 0, all, 0, PROMPT.length);
      System.arraycopy(g.tokens(), 0, all, PROMPT.length, g.tokens().length);
      float[][] scored = lm.logProbs(all);
      for (int i = 0; i < g.tokens().length; i++) {
        int position = PROMPT.length + i - 1; // the distribution that predicts token i
        assertThat(g.logProbs()[i])
            .as("token %d", i)
            .isCloseTo(scored[position][(int) g.tokens()[i]], within(1e-5));
      }
      // Different tokens were drawn: the test is not about one repeated token.
      assertThat(Arrays.stream(g.tokens()).distinct().count()).isGreaterThan(5);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama"})
  void aResponseEndsAtTheStopTokenOrTheContext(String type) throws IOException {
    try (HfCausalLm lm = model(type)) {
      HfCausalLm.Generation free = lm.generate(PROMPT, SamplingParams.greedy(8), NONE, null);
      long stop = free.tokens()[3];
      HfCausalLm.Generation stopped =
          lm.generate(PROMPT, SamplingParams.greedy(8), new long[] {stop}, null);
      assertThat(stopped.finished()).isTrue();
      assertThat(stopped.tokens()[stopped.tokens().length - 1]).isEqualTo(stop);
      assertThat(stopped.tokens().length).isLessThanOrEqualTo(4);
      HfCausalLm.Generation full = lm.generate(PROMPT, SamplingParams.greedy(500), NONE, null);
      assertThat(full.finished()).isFalse();
      assertThat(PROMPT.length + full.tokens().length).isEqualTo(lm.config().maxPositions());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mistral"})
  void aSlidingWindowHidesTokensBeyondItsReach(String type) throws IOException {
    try (HfCausalLm lm = model(type)) {
      // Window 5, 2 layers: position 13 reaches back to position 13 - 2 x 4 = 5, position 5 to 0.
      long[] a = {291, 258, 264, 44, 10, 97, 98, 99, 100, 101, 102, 103, 104, 105};
      long[] b = a.clone();
      b[1] = 276;
      float[][] la = lm.logProbs(a);
      float[][] lb = lm.logProbs(b);
      assertThat(lb[13]).containsExactly(la[13]);
      assertThat(lb[12]).containsExactly(la[12]);
      assertThat(lb[5]).isNotEqualTo(la[5]);
      assertThat(lb[9]).isNotEqualTo(la[9]);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2", "gpt2"})
  void theBlocksForwardIsTheModelsLogits(String type) throws IOException {
    try (HfCausalLm lm = model(type);
        NDManager m = NDManager.newBaseManager(Engines.device("cpu"))) {
      NDArray ids = m.create(PROMPT, new Shape(1, PROMPT.length));
      float[] viaBlock =
          lm.forward(new ParameterStore(m, false), new NDList(ids), false)
              .head()
              .logSoftmax(-1)
              .toFloatArray();
      float[][] direct = lm.logProbs(PROMPT);
      int v = lm.config().vocabSize();
      for (int pos = 0; pos < PROMPT.length; pos++) {
        for (int t = 0; t < v; t++) {
          assertThat(viaBlock[pos * v + t]).isEqualTo(direct[pos][t]);
        }
      }
    }
  }
}
