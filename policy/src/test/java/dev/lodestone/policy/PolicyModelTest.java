package dev.lodestone.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PolicyModelTest {

  private final ByteTokenizer tok = ByteTokenizer.standard();

  @Test
  void sameSeedGivesIdenticalWeightsAndOtherSeedsDiffer() {
    try (PolicyModel a = TestModels.create(TestModels.small(), 7);
        PolicyModel b = TestModels.create(TestModels.small(), 7);
        PolicyModel c = TestModels.create(TestModels.small(), 8)) {
      assertThat(a.sha256()).isEqualTo(b.sha256());
      assertThat(a.toBytes()).isEqualTo(b.toBytes());
      assertThat(a.sha256()).isNotEqualTo(c.sha256());
    }
  }

  @Test
  void parameterCountMatchesTheConfig() {
    for (ModelConfig cfg :
        List.of(TestModels.small(), TestModels.tinyVocab(), ModelConfig.defaults())) {
      try (PolicyModel m = TestModels.create(cfg, 1)) {
        long n = m.parameters().values().stream().mapToLong(p -> p.getShape().size()).sum();
        assertThat(n).as(cfg.toString()).isEqualTo(cfg.parameterCount());
      }
    }
  }

  @Test
  void greedyDecodingIsIdenticalWithAndWithoutTheCache() {
    try (PolicyModel m = TestModels.create(TestModels.small(), 3)) {
      List<int[]> prompts =
          List.of(
              tok.encodePrompt("Choose your move."), tok.encodePrompt("ab"), tok.encodePrompt(""));
      SamplingParams greedy = SamplingParams.greedy(20);
      List<List<SampledResponse>> cached = m.sample(prompts, 2, greedy, new SplittableRandom(1));
      List<List<SampledResponse>> recomputed =
          m.sample(prompts, 2, greedy.withKvCache(false), new SplittableRandom(1));
      assertThat(cached).isEqualTo(recomputed);
      // Each prompt alone (no left padding) decodes the same as in the mixed-length batch.
      for (int i = 0; i < prompts.size(); i++) {
        List<SampledResponse> alone = m.sample(prompts.get(i), 1, greedy, 1L);
        assertThat(alone.get(0).tokenIds()).isEqualTo(cached.get(i).get(0).tokenIds());
      }
      assertThat(cached.get(0).get(0).tokenIds()).hasSize(20);
    }
  }

  @Test
  void sampledLogProbsEqualTeacherForcedScores() {
    try (PolicyModel m = TestModels.create(TestModels.small(), 5)) {
      List<int[]> prompts = List.of(tok.encodePrompt("Choose your move."), tok.encodePrompt("x"));
      List<List<SampledResponse>> groups =
          m.sample(prompts, 4, SamplingParams.of(12), new SplittableRandom(11));
      List<PromptResponse> pairs = new ArrayList<>();
      List<SampledResponse> flat = new ArrayList<>();
      for (int i = 0; i < prompts.size(); i++) {
        for (SampledResponse r : groups.get(i)) {
          pairs.add(new PromptResponse(prompts.get(i), r.tokenIds()));
          flat.add(r);
        }
      }
      float[][] scored = m.responseTokenLogProbs(pairs);
      for (int i = 0; i < flat.size(); i++) {
        float[] sampled = flat.get(i).logProbs();
        assertThat(scored[i]).hasSameSizeAs(sampled);
        for (int k = 0; k < sampled.length; k++) {
          assertThat((double) sampled[k]).isCloseTo(scored[i][k], within(1e-4));
        }
      }
    }
  }

  @Test
  void sampledLogProbsFollowTheTemperedNucleusDistribution() {
    double temperature = 0.7;
    double topP = 0.8;
    try (PolicyModel m = TestModels.create(TestModels.small(), 5);
        NDManager nd = m.newManager()) {
      int[] prompt = tok.encodePrompt("p");
      List<SampledResponse> rs =
          m.sample(prompt, 6, new SamplingParams(temperature, topP, 8, true), 3L);
      for (SampledResponse r : rs) {
        TokenBatch batch =
            TokenBatch.of(m.config(), List.of(new PromptResponse(prompt, r.tokenIds())));
        float[] lp = m.logProbs(nd, batch, false).toFloatArray(); // (1, T, V)
        int v = m.config().vocabSize();
        for (int k = 0; k < r.tokenIds().length; k++) {
          int pos = batch.responseStart(0) + k;
          double expected = nucleusLogProb(lp, pos * v, v, temperature, topP, r.tokenIds()[k]);
          assertThat((double) r.logProbs()[k]).isCloseTo(expected, within(1e-4));
        }
      }
    }
  }

  /** Independent recomputation: softmax(log p / T), keep the top tokens up to mass topP. */
  private static double nucleusLogProb(
      float[] logp, int off, int v, double t, double topP, int token) {
    double[] w = new double[v];
    double z = 0;
    for (int i = 0; i < v; i++) {
      w[i] = Math.exp(logp[off + i] / t);
      z += w[i];
    }
    Integer[] order = new Integer[v];
    for (int i = 0; i < v; i++) {
      order[i] = i;
      w[i] /= z;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(w[b], w[a]));
    double kept = 0;
    boolean in = false;
    for (Integer i : order) {
      kept += w[i];
      in |= i == token;
      if (kept >= topP) {
        break;
      }
    }
    assertThat(in).as("sampled token %d is inside the nucleus", token).isTrue();
    return Math.log(w[token] / kept);
  }

  @Test
  void sameSeedGivesSameSamples() {
    try (PolicyModel m = TestModels.create(TestModels.small(), 9)) {
      int[] p = tok.encodePrompt("Choose your move.");
      SamplingParams sp = new SamplingParams(1.0, 0.95, 16, true);
      List<SampledResponse> a = m.sample(p, 8, sp, 42L);
      List<SampledResponse> b = m.sample(p, 8, sp, 42L);
      List<SampledResponse> c = m.sample(p, 8, sp, 43L);
      assertThat(a).isEqualTo(b);
      assertThat(a).isNotEqualTo(c);
    }
  }

  @Test
  void saveLoadRoundTripGivesBitIdenticalOutputs() {
    try (PolicyModel m = TestModels.create(TestModels.small().withTiedHead(false), 4);
        PolicyModel loaded = PolicyModel.fromBytes(m.toBytes(), TestModels.cpu());
        PolicyModel copy = m.copy();
        NDManager nd = m.newManager()) {
      assertThat(loaded.config()).isEqualTo(m.config());
      assertThat(loaded.sha256()).isEqualTo(m.sha256());
      assertThat(copy.sha256()).isEqualTo(m.sha256());
      TokenBatch batch =
          TokenBatch.of(
              m.config(),
              List.of(
                  new PromptResponse(tok.encodePrompt("hello"), tok.encodeResponse("world", true)),
                  new PromptResponse(tok.encodePrompt("é"), tok.encodeResponse("ü", true))));
      float[] a = m.logProbs(nd, batch, false).toFloatArray();
      assertThat(loaded.logProbs(nd, batch, false).toFloatArray()).isEqualTo(a);
      assertThat(copy.logProbs(nd, batch, false).toFloatArray()).isEqualTo(a);
      SamplingParams sp = SamplingParams.of(10);
      assertThat(loaded.sample(tok.encodePrompt("q"), 4, sp, 5L))
          .isEqualTo(m.sample(tok.encodePrompt("q"), 4, sp, 5L));
    }
  }

  @Test
  void loadWeightsReplacesWeightsInPlace() {
    try (PolicyModel a = TestModels.create(TestModels.small(), 1);
        PolicyModel b = TestModels.create(TestModels.small(), 2)) {
      b.loadWeights(a.toBytes());
      assertThat(b.sha256()).isEqualTo(a.sha256());
    }
  }

  @Test
  void loadWeightsFromCopiesOnTheDeviceAndKeepsModelsIndependent() {
    try (PolicyModel trained = TestModels.create(TestModels.small(), 1);
        PolicyModel previous = TestModels.create(TestModels.small(), 2);
        AdamOptimizer opt = new AdamOptimizer(trained, AdamConfig.of(1e-2))) {
      previous.loadWeightsFrom(trained);
      assertThat(previous.sha256()).isEqualTo(trained.sha256());
      TokenBatch batch =
          TokenBatch.of(
              trained.config(),
              List.of(new PromptResponse(tok.encodePrompt("a"), tok.encodeResponse("b", true))));
      opt.train(nd -> batch.targetLogProbs(trained.logProbs(nd, batch, true)).sum().neg(), 0);
      assertThat(previous.sha256()).isNotEqualTo(trained.sha256());
      // And the other way round: loading into a trainable model keeps it trainable.
      trained.loadWeightsFrom(previous);
      assertThat(trained.sha256()).isEqualTo(previous.sha256());
      assertThat(
              opt.train(
                      nd -> batch.targetLogProbs(trained.logProbs(nd, batch, true)).sum().neg(), 0)
                  .gradNorm())
          .isPositive();
      try (PolicyModel other = TestModels.create(TestModels.small().withLayers(1), 1)) {
        assertThatThrownBy(() -> other.loadWeightsFrom(trained))
            .isInstanceOf(WeightsFormatException.class)
            .hasMessageContaining("layers 2 in the source model, 1 expected");
      }
    }
  }

  @Test
  void copyIsIndependentOfTheOriginal() {
    try (PolicyModel m = TestModels.create(TestModels.small(), 1);
        PolicyModel copy = m.copy();
        AdamOptimizer opt = new AdamOptimizer(m, AdamConfig.of(1e-2))) {
      String before = copy.sha256();
      TokenBatch batch =
          TokenBatch.of(
              m.config(),
              List.of(new PromptResponse(tok.encodePrompt("a"), tok.encodeResponse("b", true))));
      opt.train(nd -> batch.targetLogProbs(m.logProbs(nd, batch, true)).sum().neg(), 0);
      assertThat(m.sha256()).isNotEqualTo(before);
      assertThat(copy.sha256()).isEqualTo(before);
      assertThat(copy.isTrainable()).isFalse();
    }
  }

  @Test
  void exactSequenceProbabilitiesOfEveryOutcomeSumToOne() {
    // Vocabulary of 7: bytes 0..2 and BOS/EOS/PAD/SEP. With at most L new tokens, the outcomes of
    // sampling are: s + EOS for every s of length < L over the 6 non-EOS tokens, and every s of
    // length L (unfinished). Their exact probabilities must sum to 1.
    ModelConfig cfg = TestModels.tinyVocab();
    int maxNew = 3;
    try (PolicyModel m = TestModels.create(cfg, 12)) {
      // Make the distribution far from uniform first.
      warmTiny(m);
      int eos = cfg.eosId();
      List<Integer> others = new ArrayList<>();
      for (int id = 0; id < cfg.vocabSize(); id++) {
        if (id != eos) {
          others.add(id);
        }
      }
      List<int[]> outcomes = new ArrayList<>();
      enumerate(new int[0], others, eos, maxNew, outcomes);
      assertThat(outcomes).hasSize(1 + 6 + 36 + 216);
      int[] prompt = ByteTokenizer.forConfig(cfg).encodePrompt("\u0001\u0000");
      double[] lp = m.sequenceLogProbs(prompt, outcomes);
      double total = 0;
      double maxP = 0;
      for (double l : lp) {
        total += Math.exp(l);
        maxP = Math.max(maxP, Math.exp(l));
      }
      assertThat(total).isCloseTo(1.0, within(1e-5));
      assertThat(maxP).as("the distribution is far from uniform").isGreaterThan(0.2);
    }
  }

  private static void enumerate(
      int[] prefix, List<Integer> others, int eos, int maxNew, List<int[]> out) {
    if (prefix.length == maxNew) {
      out.add(prefix);
      return;
    }
    int[] ended = java.util.Arrays.copyOf(prefix, prefix.length + 1);
    ended[prefix.length] = eos;
    out.add(ended);
    for (int id : others) {
      int[] next = java.util.Arrays.copyOf(prefix, prefix.length + 1);
      next[prefix.length] = id;
      enumerate(next, others, eos, maxNew, out);
    }
  }

  private static void warmTiny(PolicyModel m) {
    ByteTokenizer t = ByteTokenizer.forConfig(m.config());
    int[] prompt = t.encodePrompt("\u0001\u0000");
    TokenBatch batch =
        TokenBatch.of(
            m.config(),
            List.of(
                new PromptResponse(prompt, t.encodeResponse("\u0002", true)),
                new PromptResponse(prompt, t.encodeResponse("\u0001\u0002", true))));
    try (AdamOptimizer opt = new AdamOptimizer(m, AdamConfig.of(1e-2))) {
      for (int i = 0; i < 30; i++) {
        opt.train(
            nd ->
                batch
                    .targetLogProbs(m.logProbs(nd, batch, true))
                    .mul(batch.responseMask(nd))
                    .sum()
                    .neg(),
            1.0);
      }
    }
  }

  @Test
  void sharedPromptLayoutGivesTheFullLayoutsLogProbsAndGradients() {
    try (PolicyModel m = TestModels.create(TestModels.small(), 4);
        AdamOptimizer opt = new AdamOptimizer(m, AdamConfig.of(1e-3))) {
      int[] longPrompt = tok.encodePrompt("Choose your move.");
      int[] shortPrompt = tok.encodePrompt("ab");
      // Prompts of three lengths (one of a single token: an empty prefix), repeated and
      // interleaved, and responses of different lengths.
      List<PromptResponse> mixed =
          List.of(
              new PromptResponse(longPrompt, tok.encodeResponse("rock", true)),
              new PromptResponse(shortPrompt, tok.encodeResponse("p", true)),
              new PromptResponse(longPrompt, tok.encodeResponse("scissors!", true)),
              new PromptResponse(new int[] {longPrompt[0]}, tok.encodeResponse("xy", false)),
              new PromptResponse(shortPrompt, tok.encodeResponse("paper", true)));
      // Only one-token prompts: no prefix at all.
      List<PromptResponse> noPrefix =
          List.of(
              new PromptResponse(new int[] {longPrompt[0]}, tok.encodeResponse("a", true)),
              new PromptResponse(new int[] {shortPrompt[1]}, tok.encodeResponse("bcd", true)));
      for (List<PromptResponse> pairs : List.of(mixed, noPrefix)) {
        TokenBatch full = TokenBatch.of(m.config(), pairs);
        TokenBatch shared = TokenBatch.sharedPrompts(m.config(), pairs);
        assertThat(shared.length())
            .isEqualTo(pairs.stream().mapToInt(p -> p.response().length).max().getAsInt());
        float[][] fullLp = new float[pairs.size()][];
        float[] fullGrad = responseGradients(m, opt, full, pairs, fullLp);
        float[][] sharedLp = new float[pairs.size()][];
        float[] sharedGrad = responseGradients(m, opt, shared, pairs, sharedLp);
        for (int r = 0; r < pairs.size(); r++) {
          assertThat(sharedLp[r]).hasSize(pairs.get(r).response().length);
          for (int k = 0; k < sharedLp[r].length; k++) {
            assertThat((double) sharedLp[r][k]).isCloseTo(fullLp[r][k], within(1e-5));
          }
        }
        double scale = 0;
        for (float g : fullGrad) {
          scale = Math.max(scale, Math.abs(g));
        }
        assertThat(scale).isGreaterThan(0);
        for (int i = 0; i < fullGrad.length; i++) {
          assertThat((double) sharedGrad[i]).isCloseTo(fullGrad[i], within(1e-4 * scale));
        }
      }
      // The scoring API reads the shared layout too, and agrees with a batch of one pair.
      float[][] batched = m.responseTokenLogProbs(mixed);
      float[][] alone = m.responseTokenLogProbs(List.of(mixed.get(2)));
      for (int k = 0; k < alone[0].length; k++) {
        assertThat((double) batched[2][k]).isCloseTo(alone[0][k], within(1e-5));
      }
    }
  }

  /**
   * Backpropagates {@code sum_r (r + 1) sum_k log pi(y_rk)} through {@code batch}; returns every
   * parameter's gradient, concatenated, and fills {@code logProbs} with each row's response
   * log-probabilities.
   */
  @Test
  void sharedPromptLayoutGivesBitIdenticalGradientsOnEveryRepeat() {
    // The learner's batch shape at the default model size: 128 responses continuing one shared
    // prompt, large enough that PyTorch splits the backward over the tests' two intra-op threads.
    // Before the prefix rows were a one-hot product, indexing's backward added them into the
    // shared prefix with atomic additions, and the three gradients below differed in the last bits.
    try (PolicyModel m = PolicyModel.create(ModelConfig.defaults(), ai.djl.Device.cpu(), 7);
        AdamOptimizer opt = new AdamOptimizer(m, AdamConfig.of(1e-3))) {
      assertThat(ai.djl.pytorch.jni.JniUtils.getNumThreads()).isGreaterThan(1);
      int[] prompt = tok.encodePrompt("Choose your move.");
      List<PromptResponse> pairs = new ArrayList<>();
      for (SampledResponse r : m.sample(prompt, 128, SamplingParams.of(8), 11)) {
        pairs.add(new PromptResponse(prompt, r.tokenIds()));
      }
      TokenBatch shared = TokenBatch.sharedPrompts(m.config(), pairs);
      float[] first = responseGradients(m, opt, shared, pairs, new float[pairs.size()][]);
      for (int repeat = 0; repeat < 2; repeat++) {
        float[] again = responseGradients(m, opt, shared, pairs, new float[pairs.size()][]);
        assertThat(again).as("repeat %d", repeat).containsExactly(first);
      }
    }
  }

  private static float[] responseGradients(
      PolicyModel m,
      AdamOptimizer opt,
      TokenBatch batch,
      List<PromptResponse> pairs,
      float[][] logProbs) {
    opt.zeroGradients();
    try (NDManager nd = m.newManager();
        GradientCollector gc = opt.newGradientCollector()) {
      NDArray lp = batch.targetLogProbs(m.logProbs(nd, batch, true)); // (B, T)
      float[] weights = new float[batch.batchSize() * batch.length()];
      for (int r = 0; r < pairs.size(); r++) {
        for (int k = 0; k < pairs.get(r).response().length; k++) {
          weights[r * batch.length() + batch.responseStart(r) + k] = r + 1;
        }
      }
      NDArray w = nd.create(weights, lp.getShape()).duplicate();
      gc.backward(lp.mul(w).sum());
      float[] host = lp.toFloatArray();
      for (int r = 0; r < pairs.size(); r++) {
        int s = r * batch.length() + batch.responseStart(r);
        logProbs[r] = Arrays.copyOfRange(host, s, s + pairs.get(r).response().length);
      }
    }
    List<Float> all = new ArrayList<>();
    for (ai.djl.nn.Parameter p : m.parameters().values()) {
      for (float g : p.getArray().getGradient().toFloatArray()) {
        all.add(g);
      }
    }
    float[] out = new float[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = all.get(i);
    }
    return out;
  }

  @Test
  void logProbsWithoutTrainingRecordsNoGradient() {
    try (PolicyModel m = TestModels.create(TestModels.small(), 1);
        AdamOptimizer opt = new AdamOptimizer(m, AdamConfig.of(1e-3));
        NDManager nd = m.newManager()) {
      TokenBatch batch =
          TokenBatch.of(
              m.config(),
              List.of(new PromptResponse(tok.encodePrompt("a"), tok.encodeResponse("b", true))));
      try (GradientCollector gc = opt.newGradientCollector()) {
        NDArray trained = m.logProbs(nd, batch, true);
        NDArray frozen = m.logProbs(nd, batch, false);
        assertThat(frozen.toFloatArray()).isEqualTo(trained.toFloatArray());
        // Nothing was recorded for the frozen result: there is no graph to differentiate.
        assertThatThrownBy(() -> gc.backward(batch.targetLogProbs(frozen).sum()))
            .isInstanceOf(EngineException.class);
        gc.backward(batch.targetLogProbs(trained).sum());
      }
      assertThat(opt.gradientNorm()).isGreaterThan(0);
    }
  }

  @Test
  void refusesPromptsThatDoNotFitTheContext() {
    try (PolicyModel m = TestModels.create(TestModels.small(), 1)) {
      int[] prompt = tok.encodePrompt("x".repeat(40)); // 42 tokens, context 48
      assertThatThrownBy(() -> m.sample(prompt, 1, SamplingParams.of(8), 1L))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("contextLength is 48");
      assertThatThrownBy(
              () ->
                  m.responseTokenLogProbs(
                      List.of(new PromptResponse(prompt, tok.encodeResponse("y".repeat(7), true)))))
          .hasMessageContaining("contextLength is 48");
      assertThat(m.sample(prompt, 1, SamplingParams.of(7), 1L).get(0).tokenIds().length)
          .isLessThanOrEqualTo(7);
    }
  }

  @Test
  void closedModelRefusesWork() {
    PolicyModel m = TestModels.create(TestModels.small(), 1);
    m.close();
    assertThatThrownBy(m::toBytes).isInstanceOf(IllegalStateException.class);
  }
}
