package dev.lodestone.policy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Adam over every parameter of a {@link PolicyModel}, with global-norm clipping, a finite check and
 * state that saves and restores bit-exactly (the learner checkpoints it and resumes
 * bit-identically).
 *
 * <p>Update, per parameter, at step t with gradient g (after clipping):
 *
 * <pre>
 *   m = beta1 m + (1 - beta1) g
 *   v = beta2 v + (1 - beta2) g^2
 *   w = w - lr sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon)
 * </pre>
 *
 * computed by the engine's fused Adam kernel (the one DJL's own {@code Adam} uses), which also
 * zeroes the gradient. Creating an optimizer makes the model's parameters require gradients.
 *
 * <p>A training step, as the learner writes it:
 *
 * <pre>{@code
 * try (NDManager m = model.newManager(); GradientCollector gc = opt.newGradientCollector()) {
 *   NDArray logp = model.logProbs(m, batch, true);   // (B, T, V)
 *   NDArray loss = ...;                               // scalar
 *   gc.backward(loss);
 * }
 * StepResult r = opt.step(maxGradNorm);                // finite check, clip, Adam, zero grads
 * }</pre>
 *
 * or, equivalently, {@code opt.train(m -> loss(m), maxGradNorm)}.
 */
public final class AdamOptimizer implements AutoCloseable {

  private static final byte[] STATE_MAGIC = "LDSTADM1".getBytes(StandardCharsets.US_ASCII);
  private static final int STATE_VERSION = 1;

  private final PolicyModel model;
  private final AdamConfig config;
  private final List<String> names;
  private final List<Parameter> params;
  private final NDManager stateManager;
  private final NDArray[] mean;
  private final NDArray[] variance;
  private long step;

  /** An optimizer with zero moments at step 0; makes {@code model} trainable. */
  public AdamOptimizer(PolicyModel model, AdamConfig config) {
    this.model = model;
    this.config = config;
    Map<String, Parameter> ps = model.parameters();
    this.names = List.copyOf(ps.keySet());
    this.params = List.copyOf(ps.values());
    model.enableGradients();
    this.stateManager = model.newManager();
    this.mean = new NDArray[params.size()];
    this.variance = new NDArray[params.size()];
    for (int i = 0; i < params.size(); i++) {
      NDArray w = params.get(i).getArray();
      mean[i] = keep(stateManager.zeros(w.getShape()));
      variance[i] = keep(stateManager.zeros(w.getShape()));
    }
  }

  private static NDArray keep(NDArray a) {
    NDScope.unregister(a);
    return a;
  }

  /** The hyper-parameters. */
  public AdamConfig config() {
    return config;
  }

  /** Steps applied so far (t). */
  public long stepCount() {
    return step;
  }

  /** A gradient collector of the engine; only one may be open at a time. */
  public GradientCollector newGradientCollector() {
    return Engine.getEngine("PyTorch").newGradientCollector();
  }

  /**
   * One complete training step: {@code lossFn} builds a scalar loss inside a gradient collector
   * (with a fresh manager, closed afterwards), then backward and {@link #step(double)}. A
   * non-finite loss skips the backward pass and the update.
   */
  public StepResult train(Function<NDManager, NDArray> lossFn, double maxGradNorm) {
    return train(lossFn, maxGradNorm, config.learningRate());
  }

  /**
   * {@link #train(Function, double)} with a learning rate for this step (a schedule's value) in
   * place of the configured one.
   */
  public StepResult train(
      Function<NDManager, NDArray> lossFn, double maxGradNorm, double learningRate) {
    double lossValue;
    try (NDManager m = model.newManager();
        GradientCollector gc = newGradientCollector()) {
      NDArray loss = lossFn.apply(m);
      lossValue = loss.getFloat();
      if (Double.isFinite(lossValue)) {
        gc.backward(loss);
      }
    }
    if (!Double.isFinite(lossValue)) {
      zeroGradients();
      return new StepResult(step, lossValue, Double.NaN, false, false);
    }
    StepResult r = step(maxGradNorm, learningRate);
    return new StepResult(r.step(), lossValue, r.gradNorm(), r.applied(), r.clipped());
  }

  /** Global L2 norm of all gradients; NaN or infinite when some gradient is not finite. */
  public double gradientNorm() {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      return globalNorm();
    }
  }

  private double globalNorm() {
    NDList squares = new NDList(params.size());
    for (Parameter p : params) {
      NDArray g = p.getArray().getGradient();
      squares.add(g.square().sum()); // scalar
    }
    NDArray total = NDArrays.stack(squares).sum(); // scalar
    return Math.sqrt(total.getFloat());
  }

  /**
   * Applies one Adam update from the accumulated gradients: checks they are finite (else zeroes
   * them and skips), scales them down to {@code maxGradNorm} when their global norm exceeds it (0
   * disables clipping), updates the weights and zeroes the gradients.
   */
  public StepResult step(double maxGradNorm) {
    return step(maxGradNorm, config.learningRate());
  }

  /**
   * {@link #step(double)} with a learning rate for this step (a schedule's value) in place of the
   * configured one.
   */
  public StepResult step(double maxGradNorm, double learningRate) {
    if (!(maxGradNorm >= 0)) {
      throw new IllegalArgumentException("maxGradNorm must be >= 0, got " + maxGradNorm);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "learningRate must be positive and finite, got " + learningRate);
    }
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      double norm = globalNorm();
      if (!Double.isFinite(norm)) {
        zeroGradients();
        return new StepResult(step, Double.NaN, norm, false, false);
      }
      boolean clip = maxGradNorm > 0 && norm > maxGradNorm;
      float rescale = clip ? (float) (maxGradNorm / norm) : 1f;
      long t = step + 1;
      double coef1 = 1.0 - Math.pow(config.beta1(), t);
      double coef2 = 1.0 - Math.pow(config.beta2(), t);
      float lr = (float) learningRate;
      float lrBiasCorrection = (float) (learningRate * Math.sqrt(coef2) / coef1);
      for (int i = 0; i < params.size(); i++) {
        NDArray w = params.get(i).getArray();
        NDArray g = w.getGradient();
        w.getNDArrayInternal()
            .adamUpdate(
                new NDList(w, g, mean[i], variance[i]),
                new NDList(w),
                lr,
                lrBiasCorrection,
                0f,
                rescale,
                -1f,
                (float) config.beta1(),
                (float) config.beta2(),
                (float) config.epsilon(),
                false,
                false);
      }
      step = t;
      return new StepResult(step, Double.NaN, norm, true, clip);
    }
  }

  /**
   * Forgets the moments: both set to zero and the step count to 0, as a new optimizer of the same
   * model would start (the weights are untouched).
   */
  public void resetMoments() {
    for (int i = 0; i < params.size(); i++) {
      mean[i].subi(mean[i]);
      variance[i].subi(variance[i]);
    }
    step = 0;
  }

  /** Sets every gradient to zero (also NaN ones). */
  public void zeroGradients() {
    for (Parameter p : params) {
      JniUtils.zeroGrad((PtNDArray) p.getArray());
    }
  }

  /**
   * The optimizer state: step count and both moments of every parameter, exactly.
   *
   * <p>Layout: magic {@code LDSTADM1}, version int, step long, parameter count int, then per
   * parameter its name (int length, UTF-8), element count int, the first and then the second moment
   * as little-endian float32.
   */
  public byte[] stateBytes() {
    List<byte[]> nameBytes = new ArrayList<>();
    int size = 8 + 4 + 8 + 4;
    for (int i = 0; i < params.size(); i++) {
      byte[] nb = names.get(i).getBytes(StandardCharsets.UTF_8);
      nameBytes.add(nb);
      size += 4 + nb.length + 4 + 8 * Math.toIntExact(mean[i].size());
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(STATE_MAGIC).putInt(STATE_VERSION).putLong(step).putInt(params.size());
    for (int i = 0; i < params.size(); i++) {
      out.order(ByteOrder.BIG_ENDIAN);
      out.putInt(nameBytes.get(i).length).put(nameBytes.get(i));
      float[] m = mean[i].toFloatArray();
      float[] v = variance[i].toFloatArray();
      out.putInt(m.length);
      out.order(ByteOrder.LITTLE_ENDIAN);
      out.asFloatBuffer().put(m).put(v);
      out.position(out.position() + 8 * m.length);
    }
    return out.array();
  }

  /**
   * Restores a state written by {@link #stateBytes()} for a model of the same architecture.
   *
   * @throws IllegalArgumentException when the bytes are not an optimizer state of this model's
   *     parameters
   */
  public void loadState(byte[] state) {
    ByteBuffer in = ByteBuffer.wrap(state).order(ByteOrder.BIG_ENDIAN);
    try {
      byte[] magic = new byte[STATE_MAGIC.length];
      in.get(magic);
      if (!Arrays.equals(magic, STATE_MAGIC)) {
        throw new IllegalArgumentException("not an Adam optimizer state (wrong magic bytes)");
      }
      int version = in.getInt();
      if (version != STATE_VERSION) {
        throw new IllegalArgumentException(
            "optimizer state version " + version + " is not supported (expected 1)");
      }
      long t = in.getLong();
      int count = in.getInt();
      if (count != params.size() || t < 0) {
        throw new IllegalArgumentException(
            "optimizer state has " + count + " parameters, the model has " + params.size());
      }
      float[][] ms = new float[count][];
      float[][] vs = new float[count][];
      for (int i = 0; i < count; i++) {
        in.order(ByteOrder.BIG_ENDIAN);
        int nl = in.getInt();
        if (nl < 0 || nl > in.remaining()) {
          throw new IllegalArgumentException("optimizer state is corrupt (name length " + nl + ")");
        }
        byte[] nb = new byte[nl];
        in.get(nb);
        String name = new String(nb, StandardCharsets.UTF_8);
        int n = in.getInt();
        if (!name.equals(names.get(i)) || n != mean[i].size()) {
          throw new IllegalArgumentException(
              "optimizer state parameter "
                  + i
                  + " is "
                  + name
                  + " with "
                  + n
                  + " values; the model has "
                  + names.get(i)
                  + " with "
                  + mean[i].size());
        }
        in.order(ByteOrder.LITTLE_ENDIAN);
        ms[i] = new float[n];
        vs[i] = new float[n];
        in.asFloatBuffer().get(ms[i]).get(vs[i]);
        in.position(in.position() + 8 * n);
      }
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(
            "optimizer state has " + in.remaining() + " unexpected trailing bytes");
      }
      for (int i = 0; i < count; i++) {
        mean[i].intern(keep(PolicyModel.owned(stateManager, ms[i], mean[i].getShape())));
        variance[i].intern(keep(PolicyModel.owned(stateManager, vs[i], variance[i].getShape())));
      }
      step = t;
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("optimizer state is truncated", e);
    }
  }

  /** Frees the moment arrays. The model stays trainable. */
  @Override
  public void close() {
    stateManager.close();
  }
}
