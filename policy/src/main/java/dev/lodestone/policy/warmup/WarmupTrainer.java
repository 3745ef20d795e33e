package dev.lodestone.policy.warmup;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lodestone.policy.AdamConfig;
import dev.lodestone.policy.AdamOptimizer;
import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.PromptResponse;
import dev.lodestone.policy.StepResult;
import dev.lodestone.policy.TokenBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervised warm-up (the SFT stage of RLHF): teaches a model to answer each prompt of a {@link
 * WarmupCorpus} with the target responses in the target proportions.
 *
 * <p>Loss: the cross-entropy from the target distribution to the model's sequence distribution,
 * averaged over prompts, {@code L = -(1/|X|) sum_x sum_i q_x(i) log pi(y_i EOS | x)}. Its minimum
 * is reached exactly at {@code pi(y_i | x) = q_x(i)} with no mass on other responses. When the
 * corpus has at most {@code batchSize} pairs, every step computes L exactly; otherwise it draws
 * {@code batchSize} pairs with probability {@code q_x(i) / |X|} and averages their negative
 * log-likelihoods (an unbiased estimate). Adam, global-norm clipping, and an exact check every
 * {@code evalEvery} steps that stops the run once within tolerance. Deterministic on CPU for a
 * given seed.
 */
public final class WarmupTrainer {

  private static final Logger LOG = LoggerFactory.getLogger(WarmupTrainer.class);

  private WarmupTrainer() {}

  /**
   * Trains {@code model} in place.
   *
   * @throws IllegalArgumentException when a prompt or response does not fit the model's context or
   *     vocabulary
   */
  public static WarmupResult train(
      PolicyModel model, WarmupCorpus corpus, WarmupConfig config, WarmupListener listener) {
    ByteTokenizer tok = model.tokenizer();
    List<PromptResponse> pairs = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    int tasks = corpus.tasks().size();
    for (WarmupCorpus.Task task : corpus.tasks()) {
      int[] prompt = tok.encodePrompt(task.prompt());
      double[] q = task.probabilities();
      for (int i = 0; i < q.length; i++) {
        pairs.add(new PromptResponse(prompt, tok.encodeResponse(task.responses().get(i), true)));
        weights.add(q[i] / tasks);
      }
    }
    // Checks lengths and ids once, with a clear error, before any training.
    TokenBatch.of(model.config(), pairs);
    boolean exact = pairs.size() <= config.batchSize();
    TokenBatch full = exact ? TokenBatch.of(model.config(), pairs) : null;
    float[] fullWeights = exact ? toFloats(weights) : null;
    SplittableRandom rng = new SplittableRandom(config.seed());
    double[] cumulative = new double[weights.size()];
    double acc = 0;
    for (int i = 0; i < cumulative.length; i++) {
      acc += weights.get(i);
      cumulative[i] = acc;
    }

    long t0 = System.nanoTime();
    int step = 0;
    double loss = Double.NaN;
    WarmupEvaluation eval = null;
    boolean converged = false;
    try (AdamOptimizer opt = new AdamOptimizer(model, AdamConfig.of(config.learningRate()))) {
      while (step < config.maxSteps()) {
        TokenBatch batch;
        float[] w;
        if (exact) {
          batch = full;
          w = fullWeights;
        } else {
          List<PromptResponse> drawn = new ArrayList<>(config.batchSize());
          for (int b = 0; b < config.batchSize(); b++) {
            drawn.add(pairs.get(pick(cumulative, rng.nextDouble() * acc)));
          }
          batch = TokenBatch.of(model.config(), drawn);
          w = new float[config.batchSize()];
          java.util.Arrays.fill(w, 1f / config.batchSize());
        }
        TokenBatch b = batch;
        float[] bw = w;
        StepResult r = opt.train(m -> loss(model, m, b, bw), config.maxGradNorm());
        step++;
        loss = r.loss();
        if (!r.applied()) {
          LOG.warn("warm-up step {} skipped: loss {} gradient norm {}", step, loss, r.gradNorm());
        }
        eval = null;
        boolean last = step == config.maxSteps();
        if (config.evalEvery() > 0 && (step % config.evalEvery() == 0 || last)) {
          eval = evaluate(model, corpus);
          converged = eval.within(config.tolerance());
        }
        listener.onStep(new WarmupListener.Progress(step, config.maxSteps(), loss, eval));
        if (converged) {
          break;
        }
      }
    }
    if (eval == null) {
      eval = evaluate(model, corpus);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
    LOG.info(
        "warm-up: {} steps in {} ms, loss {}, max |p - target| {}, valid mass {}{}",
        step,
        elapsed.toMillis(),
        String.format("%.4f", loss),
        String.format("%.4f", eval.maxAbsError()),
        String.format("%.4f", eval.minValidMass()),
        converged ? " (converged)" : "");
    return new WarmupResult(step, loss, eval, converged, elapsed);
  }

  /** Weighted sequence negative log-likelihood: sum_b w_b * -sum_t mask * log p(target). */
  private static NDArray loss(PolicyModel model, NDManager m, TokenBatch batch, float[] w) {
    NDArray logp = model.logProbs(m, batch, true); // (B, T, V)
    NDArray picked = batch.targetLogProbs(logp).mul(batch.responseMask(m)); // (B, T)
    NDArray perSequence = picked.sum(new int[] {1}); // (B)
    NDArray weights = m.create(w, new Shape(w.length)); // (B)
    return perSequence.mul(weights).sum().neg(); // scalar
  }

  /** The exact probability of every target response, and the distances to the targets. */
  public static WarmupEvaluation evaluate(PolicyModel model, WarmupCorpus corpus) {
    ByteTokenizer tok = model.tokenizer();
    List<double[]> probs = new ArrayList<>();
    double maxErr = 0;
    double minValid = 1;
    for (WarmupCorpus.Task task : corpus.tasks()) {
      List<int[]> responses = new ArrayList<>();
      for (String r : task.responses()) {
        responses.add(tok.encodeResponse(r, true));
      }
      double[] lp = model.sequenceLogProbs(tok.encodePrompt(task.prompt()), responses);
      double[] q = task.probabilities();
      double[] p = new double[lp.length];
      double valid = 0;
      for (int i = 0; i < lp.length; i++) {
        p[i] = Math.exp(lp[i]);
        valid += p[i];
        maxErr = Math.max(maxErr, Math.abs(p[i] - q[i]));
      }
      minValid = Math.min(minValid, valid);
      probs.add(p);
    }
    return new WarmupEvaluation(List.copyOf(probs), maxErr, minValid);
  }

  private static int pick(double[] cumulative, double u) {
    for (int i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i]) {
        return i;
      }
    }
    return cumulative.length - 1;
  }

  private static float[] toFloats(List<Double> xs) {
    float[] out = new float[xs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = xs.get(i).floatValue();
    }
    return out;
  }
}
