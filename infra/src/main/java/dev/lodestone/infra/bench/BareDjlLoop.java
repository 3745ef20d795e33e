package dev.lodestone.infra.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline: the same DJL block trained by plain DJL calls, with nothing of the project around
 * it: prebuilt (B, T) input and target arrays, {@code block.forward} through a {@link
 * ParameterStore}, log-softmax cross-entropy over every position, {@link GradientCollector}, DJL's
 * own {@code Adam}, one {@link NDScope} per step.
 */
final class BareDjlLoop implements AutoCloseable {
  private final Block block;
  private final NDManager manager;
  private final ParameterStore store;
  private final NDArray inputs;
  private final NDArray targets;
  private final Optimizer adam;
  private final List<Pair<String, Parameter>> params = new ArrayList<>();

  BareDjlLoop(Block block, Device dev, long[] in, long[] tg, int b, int t, double lr) {
    this.block = block;
    this.manager = NDManager.newBaseManager(dev);
    this.store = new ParameterStore(manager, false);
    this.inputs = manager.create(in, new Shape(b, t));
    this.targets = manager.create(tg, new Shape(b, t, 1));
    this.adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) lr)).build();
    block.getParameters().forEach(params::add);
    for (Pair<String, Parameter> p : params) {
      p.getValue().getArray().setRequiresGradient(true);
    }
  }

  void step() {
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray logits = block.forward(store, new NDList(inputs), true).head(); // (B, T, V)
        NDArray loss = logits.logSoftmax(-1).gather(targets, 2).mean().neg(); // scalar
        gc.backward(loss);
      }
    }
    // Outside the scope: DJL's Adam creates its moment arrays lazily on the first update.
    for (Pair<String, Parameter> p : params) {
      NDArray w = p.getValue().getArray();
      try (NDArray g = w.getGradient()) {
        adam.update(p.getKey(), w, g);
      }
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
