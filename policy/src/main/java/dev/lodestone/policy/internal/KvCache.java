package dev.lodestone.policy.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.function.UnaryOperator;

/**
 * The key/value cache of one decoding run: per layer, keys and values of every position seen so
 * far, (B, H, S, E), held in buffers of a fixed capacity (B, H, C, E) so that a decoding step
 * writes one position in place instead of copying the whole cache.
 *
 * <p>The buffers outlive the per-step {@link NDScope}: they are taken out of the current scope when
 * stored, and the arrays they replace are closed, so memory stays flat however many steps run.
 * {@link #close()} frees them.
 */
public final class KvCache implements AutoCloseable {

  /** One layer's keys and values. */
  public static final class Entry {
    private NDArray keys;
    private NDArray values;
    private long length;

    /** Stores the prompt's keys and values, each (B, H, P, E). */
    void set(NDArray k, NDArray v) {
      replace(k, v);
      length = k.getShape().get(2);
    }

    /** Number of cached positions (S). */
    public long length() {
      return length;
    }

    /**
     * Writes one new position and returns views of every cached position.
     *
     * @param k (B, H, 1, E)
     * @param v (B, H, 1, E)
     * @return keys and values, each (B, H, S, E) with S = the new length; views valid until the
     *     next call
     */
    NDArray[] append(NDArray k, NDArray v) {
      long capacity = keys.getShape().get(2);
      if (length >= capacity) {
        throw new IllegalStateException(
            "key/value cache is full (" + capacity + " positions); reserve more capacity");
      }
      NDIndex at = new NDIndex(":, :, {}:{}", length, length + 1);
      keys.set(at, k);
      values.set(at, v);
      length++;
      NDIndex upTo = new NDIndex(":, :, 0:{}", length);
      return new NDArray[] {keys.get(upTo), values.get(upTo)};
    }

    /** Moves the cached positions into buffers of {@code capacity} positions. */
    void reserve(long capacity) {
      Shape s = keys.getShape();
      if (s.get(2) >= capacity) {
        return;
      }
      Shape full = new Shape(s.get(0), s.get(1), capacity, s.get(3));
      NDArray k = keys.getManager().zeros(full, keys.getDataType(), keys.getDevice());
      NDArray v = values.getManager().zeros(full, values.getDataType(), values.getDevice());
      NDIndex prefix = new NDIndex(":, :, 0:{}", length);
      k.set(prefix, keys);
      v.set(prefix, values);
      replace(k, v);
    }

    /** Replaces keys and values with {@code f(keys)} and {@code f(values)} (e.g. a repeat). */
    void map(UnaryOperator<NDArray> f) {
      replace(f.apply(keys), f.apply(values));
    }

    private void replace(NDArray k, NDArray v) {
      NDScope.unregister(k, v);
      NDArray oldK = keys;
      NDArray oldV = values;
      keys = k;
      values = v;
      if (oldK != null && oldK != k) {
        oldK.close();
      }
      if (oldV != null && oldV != v) {
        oldV.close();
      }
    }

    void close() {
      if (keys != null) {
        keys.close();
      }
      if (values != null) {
        values.close();
      }
      keys = null;
      values = null;
      length = 0;
    }
  }

  private final Entry[] layers;

  /** An empty cache for a model with {@code layers} blocks. */
  public KvCache(int layers) {
    this.layers = new Entry[layers];
    for (int i = 0; i < layers; i++) {
      this.layers[i] = new Entry();
    }
  }

  /** The cache of block {@code i}. */
  public Entry layer(int i) {
    return layers[i];
  }

  /** Applies {@code f} to every cached array, e.g. to repeat each row for several samples. */
  public void map(UnaryOperator<NDArray> f) {
    for (Entry e : layers) {
      e.map(f);
    }
  }

  /** Makes room for {@code capacity} positions in every layer (call after the prompt). */
  public void reserve(long capacity) {
    for (Entry e : layers) {
      e.reserve(capacity);
    }
  }

  @Override
  public void close() {
    for (Entry e : layers) {
      e.close();
    }
  }
}
