package dev.lodestone.policy.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.Scalars;
import java.util.function.Function;

/**
 * One pre-norm decoder block: {@code x + Attn(LN1(x))}, then {@code x + MLP(LN2(x))}, with causal
 * multi-head self-attention and a GELU MLP.
 *
 * <p>Dimension letters: B batch, T query positions, S key positions (cached plus new), P shared
 * prefixes, L prefix positions, D model width, H heads, E head width (D / H), F MLP width.
 */
public final class DecoderLayer extends AbstractBlock {

  private final int heads;
  private final int headDim;
  private final int dModel;
  private final float eps;
  private final float scale;

  final Parameter ln1Gamma;
  final Parameter ln1Beta;
  final Parameter qkvWeight;
  final Parameter qkvBias;
  final Parameter projWeight;
  final Parameter projBias;
  final Parameter ln2Gamma;
  final Parameter ln2Beta;
  final Parameter fc1Weight;
  final Parameter fc1Bias;
  final Parameter fc2Weight;
  final Parameter fc2Bias;

  DecoderLayer(ModelConfig config) {
    this.heads = config.heads();
    this.headDim = config.headDim();
    this.dModel = config.dModel();
    this.eps = (float) config.layerNormEps();
    this.scale = (float) (1.0 / Math.sqrt(headDim));
    int d = config.dModel();
    int f = config.mlpHidden();
    ln1Gamma = param("ln1_gamma", Parameter.Type.GAMMA, new Shape(d));
    ln1Beta = param("ln1_beta", Parameter.Type.BETA, new Shape(d));
    qkvWeight = param("qkv_weight", Parameter.Type.WEIGHT, new Shape(3L * d, d));
    qkvBias = param("qkv_bias", Parameter.Type.BIAS, new Shape(3L * d));
    projWeight = param("proj_weight", Parameter.Type.WEIGHT, new Shape(d, d));
    projBias = param("proj_bias", Parameter.Type.BIAS, new Shape(d));
    ln2Gamma = param("ln2_gamma", Parameter.Type.GAMMA, new Shape(d));
    ln2Beta = param("ln2_beta", Parameter.Type.BETA, new Shape(d));
    fc1Weight = param("fc1_weight", Parameter.Type.WEIGHT, new Shape(f, d));
    fc1Bias = param("fc1_bias", Parameter.Type.BIAS, new Shape(f));
    fc2Weight = param("fc2_weight", Parameter.Type.WEIGHT, new Shape(d, f));
    fc2Bias = param("fc2_bias", Parameter.Type.BIAS, new Shape(d));
  }

  private final java.util.Map<Parameter, Shape> shapes = new java.util.HashMap<>();

  private Parameter param(String name, Parameter.Type type, Shape shape) {
    // The array is set later (Parameter refuses setArray once a shape is declared).
    Parameter p = addParameter(Parameter.builder().setName(name).setType(type).build());
    shapes.put(p, shape);
    return p;
  }

  /** The declared shape of one of this layer's parameters. */
  Shape declaredShape(Parameter p) {
    return shapes.get(p);
  }

  /**
   * Full-sequence pass.
   *
   * @param p reads a parameter's value
   * @param x (B, T, D) the residual stream
   * @param mask additive attention mask, (T, T) or (B, 1, T, T): 0 where allowed, a large negative
   *     number where not
   * @param cache when not null, receives this layer's keys and values, each (B, H, T, E)
   * @return (B, T, D)
   */
  NDArray forward(Function<Parameter, NDArray> p, NDArray x, NDArray mask, KvCache.Entry cache) {
    NDArray[] qkv = queryKeyValue(p, x); // 3 x (B, H, T, E)
    if (cache != null) {
      cache.set(qkv[1], qkv[2]);
    }
    return attend(p, x, qkv[0], qkv[1], qkv[2], mask);
  }

  /**
   * A pass over rows that continue shared prefixes: row b's positions attend to the keys and values
   * of prefix {@code rowPrefix[b]} and causally to their own, as if each row were its prefix
   * followed by its positions, but reading each prefix once.
   *
   * @param prefix (P, L, D) the prefixes' residual stream, right-padded
   * @param prefixMask (L, L) the causal mask of the prefixes
   * @param rows (B, T, D) the rows' residual stream
   * @param rowPrefix (B) int64, each row's prefix
   * @param rowMask (B, 1, T, L + T) additive mask over the row's prefix keys, then its own
   * @param prefixOut whether the prefixes' output is needed (not after the last layer)
   * @return the prefixes' stream (P, L, D) (null when not asked for) and the rows' (B, T, D)
   */
  NDArray[] forwardWithPrefix(
      Function<Parameter, NDArray> p,
      NDArray prefix,
      NDArray prefixMask,
      NDArray rows,
      NDArray rowPrefix,
      NDArray rowMask,
      boolean prefixOut) {
    NDArray[] pre = queryKeyValue(p, prefix); // 3 x (P, H, L, E)
    NDArray[] own = queryKeyValue(p, rows); // 3 x (B, H, T, E)
    // Each row's prefix keys and values: (P, H, L, E) -> (B, H, L, E), then its own after them.
    NDArray k = rowsOf(pre[1], rowPrefix).concat(own[1], 2); // (B, H, L + T, E)
    NDArray v = rowsOf(pre[2], rowPrefix).concat(own[2], 2); // (B, H, L + T, E)
    NDArray rowsOut = attend(p, rows, own[0], k, v, rowMask); // (B, T, D)
    NDArray prefixNext = prefixOut ? attend(p, prefix, pre[0], pre[1], pre[2], prefixMask) : null;
    return new NDArray[] {prefixNext, rowsOut};
  }

  /**
   * Each row's slice of a prefix tensor, (P, H, L, E) -> (B, H, L, E), as the product of the rows'
   * one-hot prefix matrix (B, P) with the prefixes. Indexing would do the same forward, but its
   * backward ({@code index_put_} with accumulation) adds the rows' gradients into the shared prefix
   * with parallel atomic additions, whose order, and so whose rounding, changes from run to run at
   * two or more intra-op threads. A matrix product's backward is a matrix product, which does not.
   * The forward is exact: each output is one value times 1 plus zeros.
   */
  private static NDArray rowsOf(NDArray prefixPart, NDArray rowPrefix) {
    Shape s = prefixPart.getShape();
    long prefixes = s.get(0);
    NDArray oneHot = rowPrefix.oneHot((int) prefixes).toType(prefixPart.getDataType(), false);
    NDArray rows = oneHot.matMul(prefixPart.reshape(prefixes, -1)); // (B, H * L * E)
    return rows.reshape(new Shape(-1, s.get(1), s.get(2), s.get(3)));
  }

  /**
   * One decoding step against the cache: the new positions attend to every cached key and to
   * themselves.
   *
   * @param x (B, 1, D) the new position's residual stream
   * @param keyMask additive mask over keys, (B, 1, 1, S), or null when every key is allowed
   * @param cache holds S-1 positions of keys and values; receives the new one
   * @return (B, 1, D)
   */
  NDArray step(Function<Parameter, NDArray> p, NDArray x, NDArray keyMask, KvCache.Entry cache) {
    NDArray[] qkv = queryKeyValue(p, x); // 3 x (B, H, 1, E)
    NDArray[] kv = cache.append(qkv[1], qkv[2]); // 2 x (B, H, S, E)
    return attend(p, x, qkv[0], kv[0], kv[1], keyMask);
  }

  /**
   * LN1, the joint projection and the split into heads: q (pre-scaled), k, v, each (B, H, T, E).
   */
  private NDArray[] queryKeyValue(Function<Parameter, NDArray> p, NDArray x) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    NDArray h =
        LayerNorm.layerNorm(x, new Shape(dModel), p.apply(ln1Gamma), p.apply(ln1Beta), eps)
            .head(); // (B, T, D)
    NDArray qkv = Linear.linear(h, p.apply(qkvWeight), p.apply(qkvBias)).head(); // (B, T, 3D)
    // Split, not index: the backward pass of a split is one concatenation, while indexing a
    // stacked (3, ...) view makes three zero-filled copies of the whole qkv gradient.
    NDList parts = qkv.split(3, 2); // 3 x (B, T, D)
    // Pre-scaled by 1/sqrt(E); the constant is engine-owned, autograd keeps it (see Scalars).
    NDArray q = Scalars.mul(splitHeads(parts.get(0), b, t), scale); // (B, H, T, E)
    NDArray k = splitHeads(parts.get(1), b, t); // (B, H, T, E)
    NDArray v = splitHeads(parts.get(2), b, t); // (B, H, T, E)
    return new NDArray[] {q, k, v};
  }

  /**
   * Attention of the queries over the keys and values, the output projection, the residual and the
   * MLP.
   *
   * @param x (B, T, D) the residual stream the queries came from
   * @param q (B, H, T, E)
   * @param k (B, H, S, E)
   * @param v (B, H, S, E)
   * @param mask additive, broadcastable to (B, H, T, S), or null when every key is allowed
   * @return (B, T, D)
   */
  private NDArray attend(
      Function<Parameter, NDArray> p, NDArray x, NDArray q, NDArray k, NDArray v, NDArray mask) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    NDArray att = q.matMul(k.transpose(0, 1, 3, 2)); // (B, H, T, E) x (B, H, E, S) -> (B, H, T, S)
    if (mask != null) {
      att = att.add(mask);
    }
    att = att.softmax(-1); // rows sum to 1 over allowed keys
    NDArray y = att.matMul(v); // (B, H, T, S) x (B, H, S, E) -> (B, H, T, E)
    y = y.transpose(0, 2, 1, 3).reshape(b, t, dModel); // (B, T, D)
    x = x.add(Linear.linear(y, p.apply(projWeight), p.apply(projBias)).head()); // (B, T, D)
    return mlp(p, x);
  }

  /** (B, T, D) -> (B, T, H, E) -> (B, H, T, E). */
  private NDArray splitHeads(NDArray x, long b, long t) {
    return x.reshape(b, t, heads, headDim).transpose(0, 2, 1, 3);
  }

  private NDArray mlp(Function<Parameter, NDArray> p, NDArray x) {
    NDArray h =
        LayerNorm.layerNorm(x, new Shape(dModel), p.apply(ln2Gamma), p.apply(ln2Beta), eps)
            .head(); // (B, T, D)
    NDArray u = Linear.linear(h, p.apply(fc1Weight), p.apply(fc1Bias)).head(); // (B, T, F)
    NDArray o = Linear.linear(Activation.gelu(u), p.apply(fc2Weight), p.apply(fc2Bias)).head();
    return x.add(o); // (B, T, D)
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    throw new UnsupportedOperationException(
        "a decoder layer runs only inside TransformerLm, which passes the attention mask");
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
