package dev.lodestone.policy.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;

/**
 * Attention masks of a model, built on the host and kept on the model's device. Causal masks are
 * cached per length; they are owned by the model's manager, never by a caller's scope.
 */
public final class Masks implements AutoCloseable {

  private final NDManager manager;
  private final Map<Long, NDArray> causal = new HashMap<>();

  /** Masks owned by {@code manager} (the model's). */
  public Masks(NDManager manager) {
    this.manager = manager;
  }

  /** The (T, T) additive causal mask: 0 where key j &lt;= query i, {@link #MASKED} elsewhere. */
  public NDArray causal(long t) {
    NDArray m = causal.get(t);
    if (m == null) {
      int n = Math.toIntExact(t);
      float[] data = new float[n * n];
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          data[i * n + j] = TransformerLm.MASKED;
        }
      }
      m = manager.create(data, new Shape(t, t));
      NDScope.unregister(m);
      causal.put(t, m);
    }
    return m;
  }

  /**
   * The (B, 1, T, T) mask for left-padded rows: query i of row b may see key j when {@code j <= i}
   * and either {@code j >= pad[b]} (a real token) or {@code j == i} (a padding query sees only
   * itself, which keeps its row finite). Created in the caller's scope.
   */
  public static NDArray leftPadded(NDManager manager, int[] pad, int t) {
    int b = pad.length;
    float[] data = new float[b * t * t];
    for (int r = 0; r < b; r++) {
      int base = r * t * t;
      for (int i = 0; i < t; i++) {
        for (int j = 0; j < t; j++) {
          boolean allowed = j <= i && (j >= pad[r] || j == i);
          data[base + i * t + j] = allowed ? 0f : TransformerLm.MASKED;
        }
      }
    }
    return manager.create(data, new Shape(b, 1, t, t));
  }

  /** The MASKED value, for callers building key masks. */
  public static final float MASKED = TransformerLm.MASKED;

  @Override
  public void close() {
    causal.values().forEach(NDArray::close);
    causal.clear();
  }
}
