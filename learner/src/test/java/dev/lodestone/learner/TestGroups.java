package dev.lodestone.learner;

import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.SampledResponse;
import dev.lodestone.policy.SamplingParams;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Labelled groups made from a tiny model's real samples, with a fixed preference rule. */
public final class TestGroups {
  private TestGroups() {}

  /** A tiny architecture: 4 byte tokens, d 8, one layer. */
  public static final ModelConfig TINY = new ModelConfig(8, 8, 2, 1, 16, 16, true, 1e-5);

  /**
   * The learner settings of the tests that step a {@link LearnerCore} over these groups, each named
   * so that a new default changes none of them: eta 1, a publication every 2 steps and a magnet
   * reset every 2 versions, a constant learning rate, importance clip 2, the opponent correction
   * on, gradient clipping at 1, no trust region, Adam's beta1 0.9. The caller sets the algorithm,
   * alpha, the batch size and the learning rate.
   */
  public static LearnerHyperparameters.Builder coreSettings() {
    return LearnerHyperparameters.builder()
        .eta(1.0)
        .magnetEvery(2)
        .publishEvery(2)
        .lrDecaySteps(0)
        .importanceClip(2.0)
        .opponentCorrection(true)
        .maxGradNorm(1.0)
        .maxLogRatio(0)
        .adamBeta1(0.9);
  }

  /** The prompt every group answers. */
  public static int[] prompt(ModelConfig config) {
    return new int[] {config.bosId(), 1, 2, config.sepId()};
  }

  /**
   * The preference rule: a response is scored by its first token (byte b scores b, a special token
   * scores -1); {@code p_ij = 0.5 + 0.1 (score_i - score_j)}, within [0, 1].
   */
  public static double preference(int[] a, int[] b, ModelConfig config) {
    double d = score(a, config) - score(b, config);
    return Math.max(0, Math.min(1, 0.5 + 0.1 * d));
  }

  private static int score(int[] r, ModelConfig config) {
    return r[0] < config.byteTokens() ? r[0] : -1;
  }

  /** {@code count} labelled groups of {@code g} responses drawn from {@code model}. */
  public static List<LabeledGroup> labeled(
      PolicyModel model, int count, int g, long seed, long policyVersion, String prefix) {
    ModelConfig config = model.config();
    int[] prompt = prompt(config);
    List<LabeledGroup> out = new ArrayList<>(count);
    for (int n = 0; n < count; n++) {
      List<SampledResponse> drawn = model.sample(prompt, g, SamplingParams.of(3), seed * 1000 + n);
      out.add(labeled(prefix + "-" + n, prompt, drawn, policyVersion, config));
    }
    return out;
  }

  public static LabeledGroup labeled(
      String groupId,
      int[] prompt,
      List<SampledResponse> drawn,
      long policyVersion,
      ModelConfig config) {
    List<Response> responses = new ArrayList<>();
    for (SampledResponse s : drawn) {
      List<Integer> ids = new ArrayList<>();
      List<Float> lps = new ArrayList<>();
      for (int k = 0; k < s.tokenIds().length; k++) {
        ids.add(s.tokenIds()[k]);
        lps.add(s.logProbs()[k]);
      }
      responses.add(
          Response.newBuilder()
              .setText(s.text())
              .setTokenIds(ids)
              .setLogProbs(lps)
              .setFinished(s.finished())
              .build());
    }
    List<Integer> promptIds = new ArrayList<>();
    for (int p : prompt) {
      promptIds.add(p);
    }
    SampleGroup group =
        SampleGroup.newBuilder()
            .setGroupId(groupId)
            .setPromptId("p0")
            .setTask("test")
            .setPrompt("test prompt")
            .setPromptTokenIds(promptIds)
            .setResponses(responses)
            .setPolicyVersion(policyVersion)
            .setMagnetVersion(0)
            .setSamplerId("sampler-test")
            .setTime(Instant.ofEpochMilli(1_700_000_000_000L))
            .build();
    List<PairPreference> prefs = new ArrayList<>();
    for (int i = 0; i < drawn.size(); i++) {
      for (int j = i + 1; j < drawn.size(); j++) {
        prefs.add(
            PairPreference.newBuilder()
                .setI(i)
                .setJ(j)
                .setProbability(
                    preference(drawn.get(i).tokenIds(), drawn.get(j).tokenIds(), config))
                .setLabelCount(1)
                .build());
      }
    }
    return LabeledGroup.newBuilder()
        .setGroup(group)
        .setPreferences(prefs)
        .setJudgeIds(List.of("oracle"))
        .setTime(Instant.ofEpochMilli(1_700_000_000_000L))
        .build();
  }

  /** The groups converted for training. */
  public static List<TrainingGroup> training(List<LabeledGroup> groups, ModelConfig config) {
    return groups.stream().map(g -> TrainingGroup.of(g, config)).toList();
  }
}
