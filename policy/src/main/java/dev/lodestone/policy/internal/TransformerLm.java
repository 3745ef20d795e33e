package dev.lodestone.policy.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lodestone.policy.ModelConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * The GPT-style decoder as a DJL block: token and position embeddings, {@code layers} pre-norm
 * {@link DecoderLayer}s, a final layer norm and an output head (tied to the token embedding or
 * separate).
 *
 * <p>As a DJL {@link ai.djl.nn.Block}, {@code forward(store, [tokens (B, T) int64], training)}
 * returns {@code [logits (B, T, V)]} for positions {@code 0..T-1} with a causal mask; this is what
 * a bare DJL training loop calls. {@code PolicyModel} uses the same arithmetic through {@link
 * #logits}, {@link #prefill} and {@link #decodeStep}, which also fill and use a {@link KvCache}.
 *
 * <p>Dimension letters: B batch, T positions, S key positions, D model width, V vocabulary, C
 * context length.
 */
public final class TransformerLm extends AbstractBlock {

  /** The additive mask value for a forbidden attention link; exp of it underflows to 0. */
  public static final float MASKED = -1e9f;

  private final ModelConfig config;
  private final Parameter tokenEmbedding;
  private final Parameter positionEmbedding;
  private final List<DecoderLayer> layers;
  private final Parameter finalGamma;
  private final Parameter finalBeta;
  private final Parameter head;
  private final Masks masks;
  private final java.util.Map<Parameter, Shape> shapes = new java.util.HashMap<>();

  /**
   * Builds the block structure; the caller sets the parameter arrays.
   *
   * @param masks the attention-mask cache on the model's device
   */
  public TransformerLm(ModelConfig config, Masks masks) {
    this.config = config;
    this.masks = masks;
    int d = config.dModel();
    tokenEmbedding =
        param("token_embedding", Parameter.Type.WEIGHT, new Shape(config.vocabSize(), d));
    positionEmbedding =
        param("position_embedding", Parameter.Type.WEIGHT, new Shape(config.contextLength(), d));
    List<DecoderLayer> ls = new ArrayList<>();
    for (int i = 0; i < config.layers(); i++) {
      ls.add(addChildBlock("layer" + i, new DecoderLayer(config)));
    }
    layers = Collections.unmodifiableList(ls);
    finalGamma = param("final_gamma", Parameter.Type.GAMMA, new Shape(d));
    finalBeta = param("final_beta", Parameter.Type.BETA, new Shape(d));
    head =
        config.tiedHead()
            ? null
            : param("head_weight", Parameter.Type.WEIGHT, new Shape(config.vocabSize(), d));
    // Parameters are set directly from seeded host data, never by DJL initializers.
    inputShapes = new Shape[] {new Shape(-1, -1)};
  }

  /** The architecture. */
  public ModelConfig config() {
    return config;
  }

  private Parameter param(String name, Parameter.Type type, Shape shape) {
    // The array is set later (Parameter refuses setArray once a shape is declared).
    Parameter p = addParameter(Parameter.builder().setName(name).setType(type).build());
    shapes.put(p, shape);
    return p;
  }

  /** Every parameter with its unique name and declared shape, in the weights format's order. */
  public List<Weights.Named> namedParameters() {
    List<Weights.Named> out = new ArrayList<>();
    getParameters()
        .forEach(
            pair -> {
              Parameter p = pair.getValue();
              Shape s = shapes.get(p);
              for (DecoderLayer l : layers) {
                if (s == null) {
                  s = l.declaredShape(p);
                }
              }
              out.add(new Weights.Named(pair.getKey(), p, s));
            });
    return out;
  }

  /** The decoder blocks, in order. */
  public List<DecoderLayer> layers() {
    return layers;
  }

  /**
   * Logits for every position of right-padded sequences starting at position 0.
   *
   * @param p reads a parameter's value
   * @param tokens (B, T) int64, T at most C
   * @return (B, T, V)
   */
  public NDArray logits(Function<Parameter, NDArray> p, NDArray tokens) {
    long t = tokens.getShape().get(1);
    NDArray x = embed(p, tokens, null); // (B, T, D)
    NDArray mask = masks.causal(t); // (T, T)
    for (DecoderLayer layer : layers) {
      x = layer.forward(p, x, mask, null);
    }
    return project(p, x); // (B, T, V)
  }

  /**
   * Logits for rows that continue shared prefixes (the shared-prompt layout of {@code
   * dev.lodestone.policy.TokenBatch}): each prefix is read once, and row b's positions attend to
   * prefix {@code rowPrefix[b]} and causally to their own. Equal to {@link #logits} over each
   * prefix followed by its row, at the row's positions.
   *
   * @param prefix (P, L) int64 prefix ids, right-padded, or null when L = 0 (one-token prompts)
   * @param rowPrefix (B) int64, each row's prefix
   * @param tokens (B, T) int64 the rows' ids
   * @param positions (B, T) int64 their sequence positions
   * @param rowMask (B, 1, T, L + T) additive: a row's real prefix keys, then its own causally
   * @return (B, T, V) at the rows' positions
   */
  public NDArray sharedPrefixLogits(
      Function<Parameter, NDArray> p,
      NDArray prefix,
      NDArray rowPrefix,
      NDArray tokens,
      NDArray positions,
      NDArray rowMask) {
    NDArray x = embed(p, tokens, positions); // (B, T, D)
    if (prefix == null) {
      for (DecoderLayer layer : layers) {
        x = layer.forward(p, x, rowMask, null);
      }
      return project(p, x); // (B, T, V)
    }
    NDArray xp = embed(p, prefix, null); // (P, L, D)
    NDArray prefixMask = masks.causal(prefix.getShape().get(1)); // (L, L)
    for (int i = 0; i < layers.size(); i++) {
      boolean last = i == layers.size() - 1;
      NDArray[] out =
          layers.get(i).forwardWithPrefix(p, xp, prefixMask, x, rowPrefix, rowMask, !last);
      xp = out[0];
      x = out[1];
    }
    return project(p, x); // (B, T, V)
  }

  /**
   * Runs prompts through the model, filling the cache, and returns the logits of the last position.
   *
   * @param tokens (B, T) int64, left-padded when {@code positions} is given
   * @param positions (B, T) int64 position ids, or null for {@code 0..T-1}
   * @param mask additive (B, 1, T, T) mask, or null for the plain causal mask
   * @param cache an empty cache that receives (B, H, T, E) keys and values per layer
   * @return (B, V) logits of position T-1
   */
  public NDArray prefill(
      Function<Parameter, NDArray> p,
      NDArray tokens,
      NDArray positions,
      NDArray mask,
      KvCache cache) {
    long t = tokens.getShape().get(1);
    NDArray x = embed(p, tokens, positions); // (B, T, D)
    NDArray m = mask != null ? mask : masks.causal(t);
    for (int i = 0; i < layers.size(); i++) {
      x = layers.get(i).forward(p, x, m, cache.layer(i));
    }
    NDArray last = x.get(new NDIndex(":, -1:, :")); // (B, 1, D)
    return project(p, last).squeeze(1); // (B, V)
  }

  /**
   * Logits of the last position of full sequences, without a cache (recomputes everything).
   *
   * @param tokens (B, T) int64
   * @param positions (B, T) int64 or null
   * @param mask (B, 1, T, T) or null
   * @return (B, V)
   */
  public NDArray lastLogits(
      Function<Parameter, NDArray> p, NDArray tokens, NDArray positions, NDArray mask) {
    long t = tokens.getShape().get(1);
    NDArray x = embed(p, tokens, positions);
    NDArray m = mask != null ? mask : masks.causal(t);
    for (DecoderLayer layer : layers) {
      x = layer.forward(p, x, m, null);
    }
    return project(p, x.get(new NDIndex(":, -1:, :"))).squeeze(1); // (B, V)
  }

  /**
   * One decoding step with the cache.
   *
   * @param tokens (B, 1) int64, the newest token of each row
   * @param positions (B, 1) int64 position ids of those tokens, or null when every row is at {@code
   *     position}
   * @param position the common position when {@code positions} is null
   * @param keyMask (B, 1, 1, S) additive mask over the S = cached + 1 keys, or null
   * @return (B, V) logits of the next token
   */
  public NDArray decodeStep(
      Function<Parameter, NDArray> p,
      NDArray tokens,
      NDArray positions,
      long position,
      NDArray keyMask,
      KvCache cache) {
    NDArray x;
    if (positions == null) {
      NDArray tok =
          Embedding.embedding(tokens, p.apply(tokenEmbedding), SparseFormat.DENSE)
              .head(); // (B, 1, D)
      NDArray pos =
          p.apply(positionEmbedding).get(new NDIndex("{}:{}", position, position + 1)); // (1, D)
      x = tok.add(pos); // (B, 1, D)
    } else {
      x = embed(p, tokens, positions); // (B, 1, D)
    }
    for (int i = 0; i < layers.size(); i++) {
      x = layers.get(i).step(p, x, keyMask, cache.layer(i));
    }
    return project(p, x).squeeze(1); // (B, V)
  }

  private NDArray embed(Function<Parameter, NDArray> p, NDArray tokens, NDArray positions) {
    NDArray tok =
        Embedding.embedding(tokens, p.apply(tokenEmbedding), SparseFormat.DENSE)
            .head(); // (B, T, D)
    if (positions == null) {
      long t = tokens.getShape().get(1);
      NDArray pos = p.apply(positionEmbedding).get(new NDIndex("0:{}", t)); // (T, D)
      return tok.add(pos); // (B, T, D)
    }
    NDArray pos =
        Embedding.embedding(positions, p.apply(positionEmbedding), SparseFormat.DENSE)
            .head(); // (B, T, D)
    return tok.add(pos);
  }

  private NDArray project(Function<Parameter, NDArray> p, NDArray x) {
    NDArray h =
        LayerNorm.layerNorm(
                x,
                new Shape(config.dModel()),
                p.apply(finalGamma),
                p.apply(finalBeta),
                (float) config.layerNormEps())
            .head(); // (B, T, D)
    NDArray w = p.apply(head != null ? head : tokenEmbedding); // (V, D)
    return Linear.linear(h, w).head(); // (B, T, D) x (D, V) -> (B, T, V)
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray tokens = inputs.head();
    Function<Parameter, NDArray> p =
        param -> parameterStore.getValue(param, tokens.getDevice(), training);
    return new NDList(logits(p, tokens));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1), config.vocabSize())};
  }
}
