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
 * <p>Dimension letters: B batch, T query positions, S key positions (cached plus new), D model
 * width, H heads, E head width (D / H), F MLP width.
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
    if (cache != null) {
      cache.set(k, v);
    }
    NDArray att = q.matMul(k.transpose(0, 1, 3, 2)); // (B, H, T, E) x (B, H, E, T) -> (B, H, T, T)
    att = att.add(mask).softmax(-1); // (B, H, T, T), rows sum to 1 over allowed keys
    NDArray y = att.matMul(v); // (B, H, T, T) x (B, H, T, E) -> (B, H, T, E)
    y = y.transpose(0, 2, 1, 3).reshape(b, t, dModel); // (B, T, D)
    x = x.add(Linear.linear(y, p.apply(projWeight), p.apply(projBias)).head()); // (B, T, D)
    return mlp(p, x);
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
    long b = x.getShape().get(0);
    NDArray h =
        LayerNorm.layerNorm(x, new Shape(dModel), p.apply(ln1Gamma), p.apply(ln1Beta), eps)
            .head(); // (B, 1, D)
    NDArray qkv = Linear.linear(h, p.apply(qkvWeight), p.apply(qkvBias)).head(); // (B, 1, 3D)
    NDList parts = qkv.split(3, 2); // 3 x (B, 1, D)
    NDArray q = Scalars.mul(splitHeads(parts.get(0), b, 1), scale); // (B, H, 1, E)
    NDArray[] kv = cache.append(splitHeads(parts.get(1), b, 1), splitHeads(parts.get(2), b, 1));
    NDArray kAll = kv[0]; // (B, H, S, E)
    NDArray vAll = kv[1]; // (B, H, S, E)
    NDArray att = q.matMul(kAll.transpose(0, 1, 3, 2)); // (B, H, 1, S)
    if (keyMask != null) {
      att = att.add(keyMask); // (B, H, 1, S) + (B, 1, 1, S)
    }
    att = att.softmax(-1);
    NDArray y = att.matMul(vAll); // (B, H, 1, S) x (B, H, S, E) -> (B, H, 1, E)
    y = y.transpose(0, 2, 1, 3).reshape(b, 1, dModel); // (B, 1, D)
    x = x.add(Linear.linear(y, p.apply(projWeight), p.apply(projBias)).head()); // (B, 1, D)
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
