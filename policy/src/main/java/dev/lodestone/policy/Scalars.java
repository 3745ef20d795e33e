package dev.lodestone.policy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic between an array and a constant that stays correct when autograd differentiates it.
 *
 * <p>On the PyTorch engine, DJL's {@code NDArray.mul(Number)} and {@code div(Number)} create the
 * constant with {@code manager.create}, which on CPU wraps a Java direct buffer that only the
 * created array keeps alive, and close that array as soon as the operation returns. Autograd keeps
 * the constant for the backward pass (the gradient of {@code x * c} is {@code g * c}); once the
 * garbage collector frees the buffer, the backward pass multiplies by whatever the freed memory
 * holds, which gives non-finite or wrong gradients that depend on when the collector ran. The
 * constants made here live in engine-owned memory instead. Use these helpers, never the {@code
 * Number} overloads, for any operation whose gradient may be taken.
 */
public final class Scalars {

  private Scalars() {}

  /**
   * A scalar (shape {@code ()}) array holding {@code value}, of {@code like}'s data type, on its
   * manager and device, in engine-owned memory.
   */
  public static NDArray constant(NDArray like, double value) {
    return like.getManager().full(new Shape(), (float) value, like.getDataType());
  }

  /** {@code x * c}, elementwise. */
  public static NDArray mul(NDArray x, double c) {
    try (NDArray k = constant(x, c)) {
      return x.mul(k);
    }
  }

  /** {@code x / c}, elementwise. */
  public static NDArray div(NDArray x, double c) {
    try (NDArray k = constant(x, c)) {
      return x.div(k);
    }
  }
}
