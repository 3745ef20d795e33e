package dev.lodestone.learner;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.SampledResponse;
import dev.lodestone.policy.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Learner steps on a small byte-vocabulary model while another thread keeps collecting garbage: no
 * step may see a non-finite gradient and two identical runs must give identical weights. Native
 * memory that a Java buffer backs and the garbage collector frees while the autograd graph still
 * reads it breaks both.
 */
class LearnerGcStressTest {

  private static final ModelConfig CONFIG =
      new ModelConfig(ByteTokenizer.VOCAB_SIZE, 32, 2, 1, 64, 64, true, 1e-5);
  private static final int STEPS = Integer.getInteger("lodestone.stress.steps", 24);

  private record Run(long skipped, long nonFinite, byte[] weights) {}

  @Test
  void shouldTakeEveryStepAndRepeatBitIdenticallyUnderGarbageCollection() throws Exception {
    byte[] initial;
    List<List<TrainingGroup>> batches = new ArrayList<>();
    try (PolicyModel model = PolicyModel.create(CONFIG, Device.cpu(), 3)) {
      initial = model.toBytes();
      List<TrainingGroup> all =
          TestGroups.training(TestGroups.labeled(model, 4 * 8, 4, 5, 0, "s"), CONFIG);
      for (int i = 0; i < all.size(); i += 4) {
        batches.add(all.subList(i, i + 4));
      }
    }
    LearnerHyperparameters hp =
        TestGroups.coreSettings()
            .algorithm(LearnerAlgorithm.MPO)
            .alpha(0.1)
            .batchGroups(4)
            .learningRate(5e-4)
            .build();
    Run first = run(initial, hp, batches, false);
    Run second = run(initial, hp, batches, true);
    System.out.printf(
        "stress: %d steps per run, skipped %d and %d, non-finite gradient norms %d and %d,"
            + " identical weights %b%n",
        STEPS,
        first.skipped(),
        second.skipped(),
        first.nonFinite(),
        second.nonFinite(),
        java.util.Arrays.equals(first.weights(), second.weights()));
    assertThat(first.nonFinite()).isZero();
    assertThat(second.nonFinite()).isZero();
    assertThat(second.weights()).isEqualTo(first.weights());
  }

  /**
   * {@code STEPS} steps with a publication when due and, every few steps, sampling and scoring with
   * theta in the same thread (as the learner's evaluation does); {@code resume}: the core is saved
   * and restored half-way.
   */
  private static Run run(
      byte[] initial, LearnerHyperparameters hp, List<List<TrainingGroup>> b, boolean resume)
      throws InterruptedException {
    Thread collector =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  System.gc();
                  Thread.sleep(3);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "gc-pressure");
    collector.setDaemon(true);
    collector.start();
    long nonFinite = 0;
    LearnerCore core = LearnerCore.initial(initial, hp, Device.cpu());
    try {
      int[] prompt = TestGroups.prompt(CONFIG);
      for (int i = 0; i < STEPS; i++) {
        if (resume && i == STEPS / 2) {
          byte[] state = core.stateBytes();
          core.close();
          core = LearnerCore.restore(state, hp, Device.cpu());
        }
        LearnerCore.StepReport r = core.step(b.get(i % b.size()));
        if (!Double.isFinite(r.gradNorm())) {
          nonFinite++;
        }
        if (core.publishDue()) {
          core.publish();
        }
        if (i % 4 == 3) {
          List<int[]> drawn = new ArrayList<>();
          for (SampledResponse s : core.policy().sample(prompt, 4, SamplingParams.of(8), i)) {
            drawn.add(s.tokenIds());
          }
          core.policy().sequenceLogProbs(prompt, drawn);
        }
      }
      return new Run(core.skippedSteps(), nonFinite, core.weights());
    } finally {
      core.close();
      collector.interrupt();
      collector.join();
    }
  }
}
