package dev.lodestone.policy;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Gradients do not depend on when the garbage collector runs: every array that autograd keeps for
 * the backward pass lives in engine-owned memory, not in a Java buffer that a collection between
 * the forward and the backward pass frees.
 */
class ScalarsTest {

  /** Collects garbage and lets the reference handler free the direct buffers found unreachable. */
  static void collectGarbage() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(20);
    }
  }

  @Test
  void shouldKeepTheConstantOfAProductOrQuotientForTheBackwardPass() throws Exception {
    try (NDManager m = NDManager.newBaseManager(TestModels.cpu())) {
      NDArray x = m.ones(new Shape(4));
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray y = Scalars.mul(x, 0.5).add(Scalars.div(x, 4)).sum();
        collectGarbage();
        gc.backward(y);
      }
      assertThat(x.getGradient().toFloatArray()).containsOnly(0.75f);
      assertThat(Scalars.constant(x, 3).getShape()).isEqualTo(new Shape());
      assertThat(Scalars.constant(x, 3).getFloat()).isEqualTo(3f);
    }
  }

  @Test
  void shouldGiveTheSameModelGradientsWhenGarbageIsCollectedBeforeTheBackwardPass()
      throws Exception {
    ModelConfig cfg = TestModels.small();
    TokenBatch batch =
        TokenBatch.of(
            cfg,
            List.of(
                new PromptResponse(
                    ByteTokenizer.standard().encodePrompt("ab"),
                    ByteTokenizer.standard().encodeResponse("xyz", true)),
                new PromptResponse(
                    ByteTokenizer.standard().encodePrompt("abcd"),
                    ByteTokenizer.standard().encodeResponse("q", true))));
    try (PolicyModel model = TestModels.create(cfg, 4);
        AdamOptimizer opt = new AdamOptimizer(model, AdamConfig.of(1e-3))) {
      Function<NDManager, NDArray> nll =
          nd ->
              batch
                  .targetLogProbs(model.logProbs(nd, batch, true))
                  .mul(batch.responseMask(nd))
                  .sum()
                  .neg();
      List<float[]> plain = gradients(model, opt, nll, false);
      List<float[]> collected = gradients(model, opt, nll, true);
      for (int i = 0; i < plain.size(); i++) {
        assertThat(collected.get(i)).as("gradient %d", i).containsExactly(plain.get(i));
      }
    }
  }

  private static List<float[]> gradients(
      PolicyModel model, AdamOptimizer opt, Function<NDManager, NDArray> loss, boolean collect)
      throws InterruptedException {
    try (NDManager nd = model.newManager();
        GradientCollector gc = opt.newGradientCollector()) {
      NDArray l = loss.apply(nd);
      if (collect) {
        collectGarbage();
      }
      gc.backward(l);
    }
    List<float[]> out = new ArrayList<>();
    for (Parameter p : model.parameters().values()) {
      out.add(p.getArray().getGradient().toFloatArray());
    }
    opt.zeroGradients();
    return out;
  }
}
