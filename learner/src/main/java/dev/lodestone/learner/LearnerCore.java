package dev.lodestone.learner;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lodestone.learner.loss.Advantages;
import dev.lodestone.learner.loss.LabelledBatch;
import dev.lodestone.learner.loss.LossOutput;
import dev.lodestone.learner.loss.PreferenceLoss;
import dev.lodestone.learner.loss.ScoredBatch;
import dev.lodestone.policy.AdamConfig;
import dev.lodestone.policy.AdamOptimizer;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.StepResult;
import dev.lodestone.policy.TokenBatch;
import dev.lodestone.schemas.avro.LearnerCoreState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;

/**
 * The learner's computation without Kafka: the trained weights theta, the last published iterate
 * pi_t, the magnet rho and Adam's state, and the two operations of Magnetic Mirror Descent as
 * docs/pipeline.md lays them out.
 *
 * <ol>
 *   <li>{@link #step(List)}: one Adam step on the algorithm's {@link PreferenceLoss} over a batch
 *       of labelled groups, with pi_t and rho frozen. A non-finite loss or gradient norm skips the
 *       step (weights and Adam unchanged, {@link #skippedSteps()} counts it).
 *   <li>{@link #publish()}: after {@code publishEvery} steps ({@link #publishDue()}), the current
 *       weights become the next iterate: {@code pi_{t+1} = theta}, {@code pi_t <- pi_{t+1}}, the
 *       POLICY version increases by one; every {@code magnetEvery} POLICY versions (for algorithms
 *       that move it) the magnet is reset, {@code rho <- pi_{t+1}}, and the MAGNET version
 *       increases.
 * </ol>
 *
 * <p>A loss with an extra policy ({@link PreferenceLoss#extraPolicy()}) gets it here: ONPO's
 * pi_{t-1}, kept as a fourth model and moved at each publication, or EGPO's extrapolated point, for
 * which {@link #step} takes the step twice from the same weights and Adam state.
 *
 * <p>{@link #state()} holds everything (weights of theta, pi_t (unless equal to theta, as right
 * after a publication), rho and pi_{t-1} where kept, Adam's moments and step, the counters) and
 * {@link #restore} rebuilds a core that continues bit-identically on CPU. Not thread-safe; owns
 * native memory: close it.
 */
public final class LearnerCore implements AutoCloseable {

  private final LearnerHyperparameters hp;
  private final PolicyModel theta;
  private final PolicyModel previous;
  private final PolicyModel magnet;
  private final PolicyModel older; // pi_{t-1}, for a loss that reads it; else null
  private final AdamOptimizer adam;
  private final PreferenceLoss loss;
  private long step;
  private long policyVersion;
  private long magnetVersion;
  private long publishedStep;
  private long skippedSteps;
  private NumericalFaults faults = NumericalFaults.NONE;

  /**
   * What one call of {@link #step(List)} did.
   *
   * @param applied false when the step was skipped (non-finite loss or gradient)
   * @param step the step count after the call
   * @param loss the total loss (NaN or infinite when skipped for that reason)
   * @param policy the REINFORCE part of the loss
   * @param klMagnet mean KL(pi_theta || rho) per response token; NaN without a magnet
   * @param klPrevious mean KL(pi_theta || pi_t) per response token
   * @param rewardMean mean self-play reward of the responses
   * @param meanOpponentWeight mean opponent weight {@code pi_t(y) / mu(y)} (see the algorithm's
   *     {@link PreferenceLoss})
   * @param meanWeight mean truncated importance weight
   * @param clippedFraction fraction of response tokens whose weight was truncated
   * @param trustRegionFraction fraction of rows the trust region dropped (see the algorithm's
   *     {@link PreferenceLoss})
   * @param gradNorm the global gradient norm before clipping
   * @param groups the number of groups in the batch
   */
  public record StepReport(
      boolean applied,
      long step,
      double loss,
      double policy,
      double klMagnet,
      double klPrevious,
      double rewardMean,
      double meanOpponentWeight,
      double meanWeight,
      double clippedFraction,
      double trustRegionFraction,
      double gradNorm,
      int groups) {}

  /**
   * What {@link #publish()} did.
   *
   * @param policyVersion the new POLICY version
   * @param magnetReset whether the magnet moved to this iterate (a MAGNET version to publish)
   * @param magnetVersion the MAGNET version in force after the publication
   * @param step the step the iterate was made at
   */
  public record Publication(
      long policyVersion, boolean magnetReset, long magnetVersion, long step) {}

  private LearnerCore(
      LearnerHyperparameters hp,
      PolicyModel theta,
      PolicyModel previous,
      PolicyModel magnet,
      PolicyModel older) {
    this.hp = Objects.requireNonNull(hp, "hp");
    this.theta = theta;
    this.previous = previous;
    this.magnet = magnet;
    this.adam = new AdamOptimizer(theta, adamConfig(hp));
    this.loss = hp.algorithm().loss(hp);
    boolean needsOlder = loss.extraPolicy() == PreferenceLoss.ExtraPolicy.OLDER_ITERATE;
    if (needsOlder && older == null) {
      this.older = previous.copy();
    } else if (!needsOlder && older != null) {
      older.close();
      this.older = null;
    } else {
      this.older = older;
    }
  }

  private static AdamConfig adamConfig(LearnerHyperparameters hp) {
    AdamConfig d = AdamConfig.of(hp.learningRate());
    return new AdamConfig(d.learningRate(), hp.adamBeta1(), d.beta2(), d.epsilon());
  }

  /**
   * A core at version 0: theta, pi_0 and rho_0 all equal to {@code weights}; step 0, POLICY and
   * MAGNET version 0.
   *
   * @throws dev.lodestone.policy.WeightsFormatException when the blob is unreadable
   */
  public static LearnerCore initial(byte[] weights, LearnerHyperparameters hp, Device device) {
    PolicyModel theta = PolicyModel.fromBytes(weights, device);
    return new LearnerCore(hp, theta, theta.copy(), theta.copy(), null);
  }

  /**
   * Rebuilds a core from {@link #state()}; with the same hyper-parameters it continues
   * bit-identically.
   *
   * @throws IllegalArgumentException when the weights or the optimizer state do not fit
   */
  public static LearnerCore restore(
      LearnerCoreState state, LearnerHyperparameters hp, Device device) {
    PolicyModel theta = PolicyModel.fromBytes(bytes(state.getTheta()), device);
    PolicyModel previous =
        state.getPrevious() == null
            ? theta.copy()
            : PolicyModel.fromBytes(bytes(state.getPrevious()), theta.config(), device);
    PolicyModel magnet = PolicyModel.fromBytes(bytes(state.getMagnet()), theta.config(), device);
    // pi_{t-1} is kept only for a loss that reads it; a state without it gives pi_t.
    PolicyModel older =
        state.getOlder() == null
            ? null
            : PolicyModel.fromBytes(bytes(state.getOlder()), theta.config(), device);
    LearnerCore core = new LearnerCore(hp, theta, previous, magnet, older);
    core.adam.loadState(bytes(state.getOptimizer()));
    core.step = state.getStep();
    core.policyVersion = state.getPolicyVersion();
    core.magnetVersion = state.getMagnetVersion();
    core.publishedStep = state.getPublishedStep();
    core.skippedSteps = state.getSkippedSteps();
    return core;
  }

  /**
   * Rebuilds a core from {@link #stateBytes()}.
   *
   * @throws IllegalArgumentException when the bytes are not a learner (core) state
   */
  public static LearnerCore restore(byte[] state, LearnerHyperparameters hp, Device device) {
    try {
      return restore(LearnerCoreState.fromByteBuffer(ByteBuffer.wrap(state)), hp, device);
    } catch (IOException | AvroRuntimeException e) {
      throw new IllegalArgumentException("not a learner state: " + e.getMessage(), e);
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  /** Everything needed to continue bit-identically (see {@link #restore}). */
  public LearnerCoreState state() {
    byte[] thetaBytes = theta.toBytes();
    byte[] previousBytes = previous.toBytes();
    return LearnerCoreState.newBuilder()
        .setStep(step)
        .setPolicyVersion(policyVersion)
        .setMagnetVersion(magnetVersion)
        .setPublishedStep(publishedStep)
        .setSkippedSteps(skippedSteps)
        .setTheta(ByteBuffer.wrap(thetaBytes))
        // Right after a publication pi_t equals theta: null says so and saves a copy.
        .setPrevious(
            Arrays.equals(previousBytes, thetaBytes) ? null : ByteBuffer.wrap(previousBytes))
        .setMagnet(ByteBuffer.wrap(magnet.toBytes()))
        .setOlder(older == null ? null : ByteBuffer.wrap(older.toBytes()))
        .setOptimizer(ByteBuffer.wrap(adam.stateBytes()))
        .build();
  }

  /** {@link #state()} in Avro's single-object encoding. */
  public byte[] stateBytes() {
    try {
      return bytes(state().toByteBuffer());
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
  }

  /**
   * One Adam step on the MPO loss over {@code groups} (batch, score, advantages, log-probs, loss,
   * update), in a run without a budget (no cooldown). The groups must fit the model (see {@link
   * TrainingGroup#of}).
   */
  public StepReport step(List<TrainingGroup> groups) {
    return step(groups, Double.NaN);
  }

  /**
   * One Adam step as {@link #step(List)}, in a run that has used {@code progress} of its budget:
   * the learning rate is {@link LearnerHyperparameters#learningRateAt(long, double)}.
   *
   * @param progress the fraction of the budget used, {@code >= 0}; NaN: no budget
   */
  public StepReport step(List<TrainingGroup> groups, double progress) {
    LabelledBatch batch = LabelledBatch.of(theta.config(), groups); // batch
    LossOutput[] out = new LossOutput[1];
    NumericalFaults.Fault fault = faults.at(step + skippedSteps + 1);
    double learningRate = hp.learningRateAt(step, progress);
    float[] extra = null; // the extrapolated point's log-probabilities, (R x T)
    if (loss.extraPolicy() == PreferenceLoss.ExtraPolicy.EXTRAPOLATED) {
      // Extragradient: step to the extrapolated point, score the batch there, and go back.
      byte[] weightsBefore = theta.toBytes();
      byte[] adamBefore = adam.stateBytes();
      StepResult half = train(batch, null, fault, learningRate, out);
      if (!half.applied()) {
        skippedSteps++;
        return report(half, out[0], groups.size());
      }
      try (NDManager m = theta.newManager()) {
        extra =
            batch.batch().targetLogProbs(theta.logProbs(m, batch.batch(), false)).toFloatArray();
      }
      theta.loadWeights(weightsBefore);
      adam.loadState(adamBefore);
    }
    StepResult r = train(batch, extra, fault, learningRate, out); // update
    if (r.applied()) {
      step++;
    } else {
      skippedSteps++;
    }
    return report(r, out[0], groups.size()); // log
  }

  /** One Adam step on the loss of {@code batch} (score, advantages, loss, update). */
  private StepResult train(
      LabelledBatch batch,
      float[] extra,
      NumericalFaults.Fault fault,
      double learningRate,
      LossOutput[] out) {
    return adam.train(
        m -> {
          ScoredBatch scored = score(m, batch, extra); // score
          Advantages advantages = loss.advantages(m, scored); // advantages
          out[0] = loss.loss(m, scored, advantages); // loss
          return NumericalFaults.apply(fault, m, out[0].total(), theta);
        },
        hp.maxGradNorm(),
        learningRate);
  }

  /**
   * The batch scored by pi_theta (recorded for backpropagation), pi_t, rho and the loss's extra
   * policy (not recorded): pi_{t-1}, or the extrapolated point's {@code extra} log-probabilities.
   */
  private ScoredBatch score(NDManager m, LabelledBatch batch, float[] extra) {
    TokenBatch tokens = batch.batch();
    NDArray logPi = theta.logProbs(m, tokens, true); // (R, T, V)
    NDArray logPrevious = previous.logProbs(m, tokens, false); // (R, T, V)
    NDArray logMagnet = loss.usesMagnet() ? magnet.logProbs(m, tokens, false) : null; // (R, T, V)
    NDArray logExtra = null; // (R, T)
    if (older != null) {
      logExtra = tokens.targetLogProbs(older.logProbs(m, tokens, false));
    } else if (extra != null) {
      logExtra = m.create(extra, new Shape(batch.rows(), tokens.length()));
    }
    return ScoredBatch.of(m, batch, logPi, logPrevious, logMagnet, logExtra);
  }

  private StepReport report(StepResult r, LossOutput x, int groups) {
    return new StepReport(
        r.applied(),
        step,
        r.loss(),
        x.policy(),
        x.klMagnet(),
        x.klPrevious(),
        x.rewardMean(),
        x.meanOpponentWeight(),
        x.meanWeight(),
        x.clippedFraction(),
        x.trustRegionFraction(),
        r.gradNorm(),
        groups);
  }

  /** Whether {@code publishEvery} steps were taken since the last publication. */
  public boolean publishDue() {
    return step - publishedStep >= hp.publishEvery();
  }

  /**
   * Makes the current weights the next iterate: {@code pi_t <- theta}, POLICY version + 1; resets
   * the magnet every {@code magnetEvery} versions when the algorithm moves it.
   */
  public Publication publish() {
    if (older != null) {
      older.loadWeightsFrom(previous);
    }
    previous.loadWeightsFrom(theta);
    policyVersion++;
    publishedStep = step;
    boolean reset = hp.algorithm().resetsMagnet() && policyVersion % hp.magnetEvery() == 0;
    if (reset) {
      magnet.loadWeightsFrom(theta);
      magnetVersion++;
    }
    if (hp.adamReset() == LearnerHyperparameters.AdamReset.VERSION
        || (reset && hp.adamReset() == LearnerHyperparameters.AdamReset.MAGNET)) {
      adam.resetMoments();
    }
    return new Publication(policyVersion, reset, magnetVersion, step);
  }

  /** The hyper-parameters. */
  public LearnerHyperparameters hyperparameters() {
    return hp;
  }

  /** The trained model theta (for evaluation; do not train it from outside). */
  public PolicyModel policy() {
    return theta;
  }

  /** The weights of theta as a blob. */
  public byte[] weights() {
    return theta.toBytes();
  }

  /** The weights of the last published iterate pi_t. */
  public byte[] previousWeights() {
    return previous.toBytes();
  }

  /** The weights of the magnet rho. */
  public byte[] magnetWeights() {
    return magnet.toBytes();
  }

  /** Adam steps applied. */
  public long step() {
    return step;
  }

  /** The step of the last publication (0 for version 0). */
  public long publishedStep() {
    return publishedStep;
  }

  /** The last published POLICY version. */
  public long policyVersion() {
    return policyVersion;
  }

  /** The MAGNET version in force. */
  public long magnetVersion() {
    return magnetVersion;
  }

  /**
   * Injects {@code faults} into the step attempts from now on (chaos testing, {@link
   * NumericalFaults}); {@link NumericalFaults#NONE} by default.
   */
  public void injectFaults(NumericalFaults faults) {
    this.faults = Objects.requireNonNull(faults, "faults");
  }

  /** Steps skipped for a non-finite loss or gradient. */
  public long skippedSteps() {
    return skippedSteps;
  }

  @Override
  public void close() {
    adam.close();
    if (older != null) {
      older.close();
    }
    magnet.close();
    previous.close();
    theta.close();
  }
}
