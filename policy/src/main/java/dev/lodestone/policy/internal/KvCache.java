package dev.lodestone.policy.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * The key/value cache of one decoding run: per layer, keys and values of every position seen so
 * far, each (B, H, S, E).
 *
 * <p>The cached arrays outlive the per-step {@link NDScope}: {@link Entry#set} and {@link
 * Entry#replace} take them out of the current scope and close the arrays they replace, so memory
 * stays flat however many steps run. {@link #close()} frees the rest.
 */
public final class KvCache implements AutoCloseable {

  /** One layer's keys and values. */
  public static final class Entry {
    private NDArray keys;
    private NDArray values;

    /** (B, H, S, E). */
    public NDArray keys() {
      return keys;
    }

    /** (B, H, S, E). */
    public NDArray values() {
      return values;
    }

    /** Stores the first keys and values (the prompt's). */
    void set(NDArray k, NDArray v) {
      replace(k, v);
    }

    /** Replaces keys and values, closing the old ones. */
    void replace(NDArray k, NDArray v) {
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

    /** Replaces keys and values with {@code f(keys)} and {@code f(values)} (e.g. a repeat). */
    void map(java.util.function.UnaryOperator<NDArray> f) {
      replace(f.apply(keys), f.apply(values));
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

  /** Number of cached positions (S), or 0 when empty. */
  public long length() {
    NDArray k = layers[0].keys();
    return k == null ? 0 : k.getShape().get(2);
  }

  /** Applies {@code f} to every cached array, e.g. to repeat each row for several samples. */
  public void map(java.util.function.UnaryOperator<NDArray> f) {
    for (Entry e : layers) {
      e.map(f);
    }
  }

  @Override
  public void close() {
    for (Entry e : layers) {
      e.close();
    }
  }
}
