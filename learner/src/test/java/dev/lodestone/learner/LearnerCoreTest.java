package dev.lodestone.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.schemas.avro.LabeledGroup;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The learner core: skipped steps, publication cadence, bit-identical state round trip. */
class LearnerCoreTest {

  private static byte[] initial;
  private static List<List<TrainingGroup>> batches;

  @BeforeAll
  static void data() {
    try (PolicyModel model = PolicyModel.create(TestGroups.TINY, Device.cpu(), 7)) {
      initial = model.toBytes();
      List<LabeledGroup> groups = TestGroups.labeled(model, 24, 3, 11, 0, "g");
      List<TrainingGroup> all = TestGroups.training(groups, TestGroups.TINY);
      batches = new ArrayList<>();
      for (int i = 0; i < all.size(); i += 3) {
        batches.add(all.subList(i, i + 3));
      }
    }
  }

  private static LearnerHyperparameters hp(LearnerAlgorithm algorithm) {
    return TestGroups.coreSettings()
        .algorithm(algorithm)
        .alpha(0.2)
        .batchGroups(3)
        .learningRate(1e-2)
        .build();
  }

  @Test
  void shouldSkipTheStepWhenTheLossIsNotFinite() {
    try (LearnerCore core = LearnerCore.initial(initial, hp(LearnerAlgorithm.MPO), Device.cpu())) {
      TrainingGroup good = batches.get(0).get(0);
      List<float[]> nan = new ArrayList<>(good.behaviourLogProbs());
      float[] bad = nan.get(0).clone();
      bad[0] = Float.NaN;
      nan.set(0, bad);
      TrainingGroup poisoned =
          new TrainingGroup(
              good.prompt(), good.responses(), nan, good.preferences(), good.policyVersion());
      String before = core.policy().sha256();
      LearnerCore.StepReport r = core.step(List.of(poisoned, batches.get(0).get(1)));
      assertThat(r.applied()).isFalse();
      assertThat(r.loss()).isNaN();
      assertThat(core.step()).isZero();
      assertThat(core.skippedSteps()).isEqualTo(1);
      assertThat(core.policy().sha256()).isEqualTo(before);
      // The next good step applies and changes the weights.
      LearnerCore.StepReport ok = core.step(batches.get(0));
      assertThat(ok.applied()).isTrue();
      assertThat(ok.loss()).isFinite();
      assertThat(core.step()).isEqualTo(1);
      assertThat(core.policy().sha256()).isNotEqualTo(before);
    }
  }

  @Test
  void shouldSkipInjectedNanLossesAndInfiniteGradientsAsIfTheirBatchesNeverCame() {
    NumericalFaults every3 = new NumericalFaults(3);
    assertThat(every3.at(3)).isEqualTo(NumericalFaults.Fault.NAN_LOSS);
    assertThat(every3.at(6)).isEqualTo(NumericalFaults.Fault.INFINITE_GRADIENT);
    assertThat(every3.at(7)).isEqualTo(NumericalFaults.Fault.NONE);
    assertThat(every3.skippedBefore(6)).isEqualTo(2); // attempts 1-8: 3 and 6 skipped
    try (LearnerCore faulty = LearnerCore.initial(initial, hp(LearnerAlgorithm.MPO), Device.cpu());
        LearnerCore clean = LearnerCore.initial(initial, hp(LearnerAlgorithm.MPO), Device.cpu())) {
      faulty.injectFaults(every3);
      List<LearnerCore.StepReport> reports = new ArrayList<>();
      for (int i = 0; i < batches.size(); i++) {
        String before = faulty.policy().sha256();
        LearnerCore.StepReport r = faulty.step(batches.get(i));
        reports.add(r);
        if (!r.applied()) {
          assertThat(faulty.policy().sha256()).isEqualTo(before);
        }
        if (faulty.publishDue()) {
          faulty.publish();
        }
        if (i != 2 && i != 5) {
          clean.step(batches.get(i));
          if (clean.publishDue()) {
            clean.publish();
          }
        }
      }
      // Attempt 3: a NaN loss. Attempt 6: a finite loss whose gradient is infinite.
      assertThat(reports.get(2).applied()).isFalse();
      assertThat(reports.get(2).loss()).isNaN();
      assertThat(reports.get(5).applied()).isFalse();
      assertThat(reports.get(5).loss()).isFinite();
      assertThat(reports.get(5).gradNorm()).isNotFinite();
      assertThat(reports).filteredOn(LearnerCore.StepReport::applied).hasSize(6);
      assertThat(faulty.skippedSteps()).isEqualTo(2);
      assertThat(faulty.step()).isEqualTo(6);
      // Weights and Adam's state untouched by the skipped steps: the same as a core that never
      // saw those two batches.
      assertThat(faulty.policyVersion()).isEqualTo(clean.policyVersion()).isPositive();
      assertThat(faulty.weights()).isEqualTo(clean.weights());
    }
  }

  @Test
  void shouldPublishEveryPublishEveryStepsAndResetTheMagnetEveryMagnetEveryVersions() {
    try (LearnerCore core = LearnerCore.initial(initial, hp(LearnerAlgorithm.MPO), Device.cpu())) {
      List<LearnerCore.Publication> pubs = new ArrayList<>();
      for (List<TrainingGroup> b : batches) {
        core.step(b);
        if (core.publishDue()) {
          pubs.add(core.publish());
          assertThat(core.previousWeights()).isEqualTo(core.weights());
        }
      }
      // 8 steps, a version every 2 steps, a magnet every 2 versions.
      assertThat(pubs)
          .extracting(LearnerCore.Publication::policyVersion)
          .containsExactly(1L, 2L, 3L, 4L);
      assertThat(pubs)
          .extracting(LearnerCore.Publication::magnetReset)
          .containsExactly(false, true, false, true);
      assertThat(core.magnetVersion()).isEqualTo(2);
      assertThat(core.magnetWeights()).isEqualTo(core.weights());
    }
  }

  @Test
  void shouldNeverMoveTheMagnetForFixedMagnetAndOmd() {
    for (LearnerAlgorithm a : List.of(LearnerAlgorithm.FIXED_MAGNET, LearnerAlgorithm.OMD)) {
      try (LearnerCore core = LearnerCore.initial(initial, hp(a), Device.cpu())) {
        for (List<TrainingGroup> b : batches) {
          core.step(b);
          if (core.publishDue()) {
            assertThat(core.publish().magnetReset()).isFalse();
          }
        }
        assertThat(core.policyVersion()).isEqualTo(4);
        assertThat(core.magnetVersion()).isZero();
        assertThat(core.magnetWeights()).isEqualTo(initial);
      }
    }
  }

  @Test
  void shouldContinueBitIdenticallyAfterAStateRoundTrip() {
    // ONPO keeps pi_{t-1}; EGPO steps twice from one state: both must survive the round trip.
    for (LearnerAlgorithm a :
        List.of(
            LearnerAlgorithm.MPO,
            LearnerAlgorithm.MPO_RT,
            LearnerAlgorithm.ONPO,
            LearnerAlgorithm.EGPO)) {
      try (LearnerCore straight = LearnerCore.initial(initial, hp(a), Device.cpu())) {
        byte[] state = null;
        for (int i = 0; i < batches.size(); i++) {
          if (i == 3) {
            state = straight.stateBytes(); // after a publication and one more step
          }
          straight.step(batches.get(i));
          if (straight.publishDue()) {
            straight.publish();
          }
        }
        try (LearnerCore resumed = LearnerCore.restore(state, hp(a), Device.cpu())) {
          assertThat(resumed.stateBytes()).isEqualTo(state);
          assertThat(resumed.step()).isEqualTo(3);
          assertThat(resumed.policyVersion()).isEqualTo(1);
          for (int i = 3; i < batches.size(); i++) {
            resumed.step(batches.get(i));
            if (resumed.publishDue()) {
              resumed.publish();
            }
          }
          assertThat(resumed.weights()).isEqualTo(straight.weights());
          assertThat(resumed.stateBytes()).isEqualTo(straight.stateBytes());
          assertThat(straight.weights()).isNotEqualTo(initial);
        }
      }
    }
  }

  @Test
  void shouldForgetAdamsMomentsAtEachVersionWhenAsked() {
    for (LearnerHyperparameters.AdamReset reset :
        List.of(LearnerHyperparameters.AdamReset.VERSION, LearnerHyperparameters.AdamReset.NEVER)) {
      LearnerHyperparameters hp =
          TestGroups.coreSettings()
              .algorithm(LearnerAlgorithm.OMD)
              .batchGroups(3)
              .learningRate(1e-2)
              .adamReset(reset)
              .build();
      try (LearnerCore carried = LearnerCore.initial(initial, hp, Device.cpu())) {
        carried.step(batches.get(0));
        carried.step(batches.get(1));
        carried.publish();
        // A fresh core at the published weights: pi_t = theta, zero moments.
        try (LearnerCore fresh = LearnerCore.initial(carried.weights(), hp, Device.cpu())) {
          carried.step(batches.get(2));
          fresh.step(batches.get(2));
          if (reset == LearnerHyperparameters.AdamReset.VERSION) {
            assertThat(carried.weights()).isEqualTo(fresh.weights());
          } else {
            assertThat(carried.weights()).isNotEqualTo(fresh.weights());
          }
        }
      }
    }
    assertThatThrownBy(
            () ->
                TestGroups.coreSettings()
                    .algorithm(LearnerAlgorithm.OMD)
                    .adamReset(LearnerHyperparameters.AdamReset.MAGNET)
                    .build())
        .hasMessageContaining("adamReset magnet needs an algorithm that resets the magnet");
  }

  @Test
  void shouldRejectBytesThatAreNotALearnerState() {
    assertThatThrownBy(
            () -> LearnerCore.restore(new byte[] {1, 2, 3}, hp(LearnerAlgorithm.MPO), Device.cpu()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("learner state");
  }
}
