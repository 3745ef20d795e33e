package dev.lodestone.policy.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.SampledResponse;
import dev.lodestone.policy.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmupTrainerTest {

  // perturbed-rps (docs/design.md, "Games"), written literally.
  private static final String PROMPT = "Choose your move.";
  private static final List<String> STRATEGIES = List.of("rock", "paper", "scissors");
  private static final double[] INITIAL = {0.7, 0.2, 0.1};

  @Test
  void warmupOnPerturbedRpsReachesValidityAndDistributionTargetsWithinASmallBudget() {
    WarmupCorpus corpus = WarmupCorpus.of(PROMPT, STRATEGIES, INITIAL);
    WarmupConfig config = WarmupConfig.defaults(1).withMaxSteps(400);
    List<WarmupListener.Progress> progress = new ArrayList<>();
    try (PolicyModel model =
        PolicyModel.create(ModelConfig.defaults(), Engines.device("cpu"), config.seed())) {
      WarmupResult result = WarmupTrainer.train(model, corpus, config, progress::add);

      assertThat(result.converged()).isTrue();
      assertThat(result.steps()).isLessThanOrEqualTo(400);
      assertThat(progress).hasSize(result.steps());
      assertThat(progress.get(progress.size() - 1).evaluation()).isNotNull();
      // Exact probabilities (teacher forcing with EOS), independently of the trainer's own check.
      ByteTokenizer tok = model.tokenizer();
      List<int[]> responses = new ArrayList<>();
      for (String s : STRATEGIES) {
        responses.add(tok.encodeResponse(s, true));
      }
      double[] lp = model.sequenceLogProbs(tok.encodePrompt(PROMPT), responses);
      double valid = 0;
      for (int i = 0; i < 3; i++) {
        double p = Math.exp(lp[i]);
        assertThat(p).as(STRATEGIES.get(i)).isCloseTo(INITIAL[i], within(0.03));
        valid += p;
      }
      assertThat(valid).isGreaterThanOrEqualTo(0.99);

      // At least 99% of sampled responses are valid strategy strings, in the right proportions.
      int n = 1000;
      List<SampledResponse> samples =
          model.sample(tok.encodePrompt(PROMPT), n, SamplingParams.of(16), 2024L);
      int[] counts = new int[3];
      int ok = 0;
      for (SampledResponse s : samples) {
        int i = STRATEGIES.indexOf(s.text());
        if (i >= 0 && s.finished()) {
          ok++;
          counts[i]++;
        }
      }
      assertThat(ok / (double) n).isGreaterThanOrEqualTo(0.99);
      for (int i = 0; i < 3; i++) {
        // Binomial standard deviation at n = 1000 is at most 0.016; allow 4 of them.
        assertThat(counts[i] / (double) n).isCloseTo(Math.exp(lp[i]), within(0.065));
      }
    }
  }

  @Test
  void sameSeedGivesBitIdenticalWarmupAndSeveralPromptsAreLearnedTogether() {
    ModelConfig small = new ModelConfig(ByteTokenizer.VOCAB_SIZE, 32, 2, 1, 32, 64, true, 1e-5);
    WarmupCorpus corpus =
        new WarmupCorpus(
            List.of(
                new WarmupCorpus.Task("A?", List.of("x", "yy"), List.of(3.0, 1.0)),
                new WarmupCorpus.Task("B?", List.of("x", "yy", "zzz"), List.of(1.0, 1.0, 2.0))));
    WarmupConfig config = new WarmupConfig(600, 32, 1e-2, 3, 20, 0.02, 1.0);
    String[] sha = new String[2];
    for (int run = 0; run < 2; run++) {
      try (PolicyModel model = PolicyModel.create(small, Engines.device("cpu"), config.seed())) {
        WarmupResult r = WarmupTrainer.train(model, corpus, config, WarmupListener.NONE);
        assertThat(r.converged()).isTrue();
        assertThat(r.evaluation().probabilities().get(0)[0]).isCloseTo(0.75, within(0.02));
        assertThat(r.evaluation().probabilities().get(1)[2]).isCloseTo(0.5, within(0.02));
        sha[run] = model.sha256();
      }
    }
    assertThat(sha[0]).isEqualTo(sha[1]);
  }

  @Test
  void drawsBatchesWhenTheCorpusIsLargerThanABatch() {
    ModelConfig small = new ModelConfig(ByteTokenizer.VOCAB_SIZE, 32, 2, 1, 32, 64, true, 1e-5);
    WarmupCorpus corpus = WarmupCorpus.of("p", List.of("a", "b", "c", "d"), 0.4, 0.3, 0.2, 0.1);
    WarmupConfig config = new WarmupConfig(60, 2, 1e-2, 4, 0, 0.0, 1.0);
    List<Double> losses = new ArrayList<>();
    try (PolicyModel model = PolicyModel.create(small, Engines.device("cpu"), 4)) {
      WarmupResult r = WarmupTrainer.train(model, corpus, config, p -> losses.add(p.loss()));
      assertThat(r.steps()).isEqualTo(60);
      assertThat(r.converged()).isFalse();
      double early = losses.subList(0, 10).stream().mapToDouble(x -> x).average().orElseThrow();
      double late = losses.subList(50, 60).stream().mapToDouble(x -> x).average().orElseThrow();
      assertThat(late).isLessThan(early);
      assertThat(r.evaluation().minValidMass()).isGreaterThan(0.5);
    }
  }

  @Test
  void refusesResponsesTheModelCannotHold() {
    ModelConfig small = new ModelConfig(ByteTokenizer.VOCAB_SIZE, 32, 2, 1, 8, 64, true, 1e-5);
    WarmupCorpus corpus = WarmupCorpus.of("prompt", List.of("much too long"), 1.0);
    try (PolicyModel model = PolicyModel.create(small, Engines.device("cpu"), 1)) {
      assertThatThrownBy(
              () ->
                  WarmupTrainer.train(model, corpus, WarmupConfig.defaults(1), WarmupListener.NONE))
          .hasMessageContaining("contextLength is 8");
    }
  }

  @Test
  void validatesCorpusAndConfig() {
    assertThatThrownBy(() -> WarmupCorpus.of("p", List.of("a", "a"), 1, 1))
        .hasMessageContaining("distinct");
    assertThatThrownBy(() -> WarmupCorpus.of("p", List.of("a", "b"), 1))
        .hasMessageContaining("one entry per response");
    assertThatThrownBy(() -> WarmupCorpus.of("p", List.of("a"), -1))
        .hasMessage("weights[0] must be finite and >= 0, got -1.0");
    assertThatThrownBy(() -> WarmupCorpus.of("p", List.of("a"), 0))
        .hasMessageContaining("positive sum");
    assertThatThrownBy(() -> new WarmupConfig(0, 1, 1e-3, 1, 0, 0, 1))
        .hasMessage("maxSteps must be at least 1, got 0");
    assertThatThrownBy(() -> new WarmupConfig(1, 1, 1e-3, 1, 0, 1.5, 1))
        .hasMessage("tolerance must be in [0, 1), got 1.5");
    assertThat(WarmupCorpus.of("p", List.of("a", "b"), 3, 1).tasks().get(0).probabilities())
        .containsExactly(0.75, 0.25);
  }
}
