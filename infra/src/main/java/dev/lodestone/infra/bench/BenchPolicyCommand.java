package dev.lodestone.infra.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lodestone.games.Games;
import dev.lodestone.games.PreferenceGame;
import dev.lodestone.policy.AdamConfig;
import dev.lodestone.policy.AdamOptimizer;
import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.PromptResponse;
import dev.lodestone.policy.SampledResponse;
import dev.lodestone.policy.SamplingParams;
import dev.lodestone.policy.Scalars;
import dev.lodestone.policy.TokenBatch;
import dev.lodestone.policy.warmup.WarmupCache;
import dev.lodestone.policy.warmup.WarmupConfig;
import dev.lodestone.policy.warmup.WarmupCorpus;
import dev.lodestone.policy.warmup.WarmupEvaluation;
import dev.lodestone.policy.warmup.WarmupListener;
import dev.lodestone.policy.warmup.WarmupResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.commons.io.FileUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lodestone bench policy}: measures the policy model (training, sampling with and without
 * the key/value cache, scoring, memory over a long decoding run, the warm-up on perturbed-rps) and
 * compares training with a bare DJL loop over the same block, measured in the same run.
 */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmark the policy model: training, sampling (with and without the key/value cache),"
          + " scoring, resident memory over a long decoding run, and the warm-up on perturbed-rps.",
      "Training is compared with a bare DJL loop (same block, GradientCollector, DJL's Adam) in"
          + " the same run; the ratio is the project's overhead."
    })
public final class BenchPolicyCommand implements Callable<Integer> {

  /**
   * perturbed-rps (docs/design.md, "Games"), written literally until the game catalogue is wired.
   */
  static final String RPS_PROMPT = "Choose your move.";

  static final List<String> RPS_STRATEGIES = List.of("rock", "paper", "scissors");
  static final double[] RPS_INITIAL = {0.7, 0.2, 0.1};

  @Option(names = "--json", description = "Print the results as JSON instead of a table.")
  boolean json;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(
      names = "--batch",
      defaultValue = "32",
      description = "Training batch size in sequences (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--seq-len",
      defaultValue = "64",
      description = "Training sequence length in input positions (default: ${DEFAULT-VALUE}).")
  int seqLen;

  @Option(
      names = "--train-steps",
      defaultValue = "100",
      description =
          "Timed training steps of each loop, alternating one project step and one baseline step;"
              + " the median step time is reported (default: ${DEFAULT-VALUE}).")
  int trainSteps;

  @Option(
      names = "--rounds",
      defaultValue = "9",
      description =
          "Timed calls of each sampling and scoring measurement (alternating with and without"
              + " the cache); the median is reported (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--samples",
      defaultValue = "64",
      description = "Responses per sampling call (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(
      names = "--new-tokens",
      defaultValue = "32",
      description = "Tokens per sampled response (default: ${DEFAULT-VALUE}).")
  int newTokens;

  @Option(
      names = "--decode-steps",
      defaultValue = "10000",
      description = "Decoding steps of the memory run (default: ${DEFAULT-VALUE}).")
  int decodeSteps;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of weights and data (default: ${DEFAULT-VALUE}).")
  long seed;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Engines.EngineInfo engine = Engines.start();
    Device dev = Engines.device(device);
    ModelConfig cfg = ModelConfig.defaults();
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("device", dev.toString());
    results.put("engine", engineMap(engine));
    results.put("model", cfg);
    results.put("parameters", cfg.parameterCount());
    results.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    results.put("loadAverageAtStart", loadAverage());

    progress(err, "training (project loop vs bare DJL loop)");
    Training training = training(cfg, dev);
    results.put("training", training);
    progress(err, "sampling");
    Sampling sampling = sampling(cfg, dev);
    results.put("sampling", sampling);
    progress(err, "scoring");
    Scoring scoring = scoring(cfg, dev);
    results.put("scoring", scoring);
    progress(err, "a learner batch, full vs shared-prompt layout");
    List<Layouts> layouts = layouts(cfg, dev);
    results.put("layouts", layouts);
    progress(err, "memory over " + decodeSteps + " decoding steps");
    MemoryProbe.Memory memory = memory(dev);
    results.put("memory", memory);
    progress(err, "warm-up on perturbed-rps");
    Warmup warmup = warmup(cfg, dev);
    results.put("warmup", warmup);
    results.put("loadAverageAtEnd", loadAverage());
    results.put("targets", PolicyBenchReport.targets(training, sampling, memory, warmup));

    if (json) {
      try {
        out.println(
            new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(results));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      PolicyBenchReport.printTable(
          out, device, engine, cfg, training, sampling, scoring, layouts, memory, warmup, results);
    }
    out.flush();
    return 0;
  }

  private void validate() {
    positive("--batch", batch);
    positive("--train-steps", trainSteps);
    positive("--rounds", rounds);
    positive("--samples", samples);
    positive("--new-tokens", newTokens);
    positive("--decode-steps", decodeSteps);
    if (newTokens > maxNewTokens()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--new-tokens must be at most " + maxNewTokens() + " (context), got " + newTokens);
    }
    if (seqLen < 20 || seqLen > ModelConfig.defaults().contextLength()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--seq-len must be in [20, "
              + ModelConfig.defaults().contextLength()
              + "], got "
              + seqLen);
    }
  }

  /** The longest response the default context leaves after the benchmark prompt. */
  static int maxNewTokens() {
    int prompt = ByteTokenizer.standard().encodePrompt(RPS_PROMPT).length;
    return ModelConfig.defaults().contextLength() - prompt + 1;
  }

  private void positive(String name, int value) {
    if (value < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), name + " must be at least 1, got " + value);
    }
  }

  private static void progress(PrintWriter err, String what) {
    err.println("bench policy: " + what + " ...");
    err.flush();
  }

  // ---------------------------------------------------------------------------------------------
  // Training

  /**
   * Training figures.
   *
   * @param batch sequences per step
   * @param seqLen input positions per sequence
   * @param projectStepMs median step time of the project's loop (steps alternate with the
   *     baseline's)
   * @param baselineStepMs median step time of the bare DJL loop
   * @param projectTokensPerSecond batch * seqLen / project step time
   * @param baselineTokensPerSecond batch * seqLen / baseline step time
   * @param overhead project step time / baseline step time - 1
   */
  record Training(
      int batch,
      int seqLen,
      double projectStepMs,
      double baselineStepMs,
      double projectTokensPerSecond,
      double baselineTokensPerSecond,
      double overhead) {}

  private Training training(ModelConfig cfg, Device dev) {
    SplittableRandom rng = new SplittableRandom(seed);
    ByteTokenizer tok = ByteTokenizer.standard();
    int promptBytes = 14; // [BOS, 14 bytes, SEP] = 16 prompt tokens
    int responseLen = seqLen - (promptBytes + 2) + 1; // input = prompt + response - 1 = seqLen
    List<PromptResponse> pairs = new ArrayList<>();
    long[] inputs = new long[batch * seqLen];
    long[] targets = new long[batch * seqLen];
    for (int b = 0; b < batch; b++) {
      int[] prompt = new int[promptBytes + 2];
      prompt[0] = tok.bos();
      for (int i = 1; i <= promptBytes; i++) {
        prompt[i] = rng.nextInt(256);
      }
      prompt[promptBytes + 1] = tok.sep();
      int[] response = new int[responseLen];
      for (int i = 0; i < responseLen - 1; i++) {
        response[i] = rng.nextInt(256);
      }
      response[responseLen - 1] = tok.eos();
      pairs.add(new PromptResponse(prompt, response));
      int[] all = new int[prompt.length + response.length];
      System.arraycopy(prompt, 0, all, 0, prompt.length);
      System.arraycopy(response, 0, all, prompt.length, response.length);
      for (int t = 0; t < seqLen; t++) {
        inputs[b * seqLen + t] = all[t];
        targets[b * seqLen + t] = all[t + 1];
      }
    }
    double lr = 1e-3;
    try (PolicyModel project = PolicyModel.create(cfg, dev, seed);
        AdamOptimizer opt = new AdamOptimizer(project, AdamConfig.of(lr));
        PolicyModel bare = PolicyModel.create(cfg, dev, seed);
        BareDjlLoop baseline =
            new BareDjlLoop(bare.block(), dev, inputs, targets, batch, seqLen, lr)) {
      Runnable projectStep =
          () -> {
            // The project's path: batch layout from token lists, log-probs, masked loss, finite
            // check, clipping, Adam.
            nllStep(project, opt, TokenBatch.of(cfg, pairs));
          };
      double[] ms = alternatingMedians(projectStep, baseline::step, trainSteps);
      double p = ms[0];
      double b = ms[1];
      double tokens = (double) batch * seqLen;
      return new Training(batch, seqLen, p, b, tokens / p * 1000, tokens / b * 1000, p / b - 1);
    }
  }

  /**
   * One training step of the project's path: log-probs, mean negative log-likelihood over the
   * response tokens, finite check, clipping at 1.0, Adam.
   */
  private static void nllStep(PolicyModel model, AdamOptimizer opt, TokenBatch tb) {
    opt.train(
        m -> {
          NDArray logp = model.logProbs(m, tb, true); // (B, T, V)
          NDArray mask = tb.responseMask(m); // (B, T)
          NDArray nll = tb.targetLogProbs(logp).mul(mask).sum().neg(); // scalar
          return Scalars.div(nll, tb.responseTokenCount());
        },
        1.0);
  }

  // ---------------------------------------------------------------------------------------------
  // Sampling and scoring

  /**
   * Sampling figures, for {@code samples} responses of up to {@code newTokens} tokens.
   *
   * @param cachedMs median time of one sampling call with the key/value cache
   * @param uncachedMs the same without the cache (every step recomputes every position)
   * @param cachedTokensPerSecond generated tokens per second with the cache
   * @param uncachedTokensPerSecond generated tokens per second without it
   * @param cacheSpeedup uncached / cached time
   * @param generatedTokens tokens generated per call (responses may end early with EOS)
   * @param greedyIdentical whether greedy decoding gave the same tokens with and without the cache
   */
  record Sampling(
      int samples,
      int newTokens,
      int promptTokens,
      double cachedMs,
      double uncachedMs,
      double cachedTokensPerSecond,
      double uncachedTokensPerSecond,
      double cacheSpeedup,
      double generatedTokens,
      boolean greedyIdentical) {}

  private Sampling sampling(ModelConfig cfg, Device dev) {
    int[] prompt = ByteTokenizer.standard().encodePrompt(RPS_PROMPT);
    SamplingParams withCache = SamplingParams.of(newTokens);
    SamplingParams noCache = withCache.withKvCache(false);
    try (PolicyModel model = PolicyModel.create(cfg, dev, seed)) {
      long[] generated = new long[1];
      Runnable cached =
          () -> generated[0] = count(model.sample(prompt, samples, withCache, seed + 17));
      Runnable uncached = () -> model.sample(prompt, samples, noCache, seed + 17);
      cached.run();
      uncached.run();
      double[] c = new double[rounds];
      double[] u = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        c[r] = timeMs(cached, 1);
        u[r] = timeMs(uncached, 1);
      }
      double cm = median(c);
      double um = median(u);
      boolean greedySame =
          model
              .sample(prompt, 4, SamplingParams.greedy(newTokens), 1L)
              .equals(
                  model.sample(prompt, 4, SamplingParams.greedy(newTokens).withKvCache(false), 1L));
      return new Sampling(
          samples,
          newTokens,
          prompt.length,
          cm,
          um,
          generated[0] / cm * 1000,
          generated[0] / um * 1000,
          um / cm,
          generated[0],
          greedySame);
    }
  }

  private static long count(List<SampledResponse> rs) {
    long n = 0;
    for (SampledResponse r : rs) {
      n += r.tokenIds().length;
    }
    return n;
  }

  /**
   * Scoring figures: teacher-forced per-token log-probabilities of {@code pairs} prompt/response
   * pairs.
   *
   * @param inputTokens input positions scored per call
   * @param ms median time of one call
   * @param tokensPerSecond input positions per second
   */
  record Scoring(int pairs, long inputTokens, double ms, double tokensPerSecond) {}

  private Scoring scoring(ModelConfig cfg, Device dev) {
    ByteTokenizer tok = ByteTokenizer.standard();
    int[] prompt = tok.encodePrompt(RPS_PROMPT);
    SplittableRandom rng = new SplittableRandom(seed);
    List<PromptResponse> pairs = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      int[] r = new int[newTokens];
      for (int k = 0; k < newTokens - 1; k++) {
        r[k] = rng.nextInt(256);
      }
      r[newTokens - 1] = tok.eos();
      pairs.add(new PromptResponse(prompt, r));
    }
    long tokens = TokenBatch.of(cfg, pairs).inputTokenCount();
    try (PolicyModel model = PolicyModel.create(cfg, dev, seed)) {
      Runnable score = () -> model.responseTokenLogProbs(pairs);
      score.run();
      double[] t = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        t[r] = timeMs(score, 1);
      }
      double ms = median(t);
      return new Scoring(pairs.size(), tokens, ms, tokens / ms * 1000);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Layouts

  /**
   * A learner-shaped batch trained in the two {@link TokenBatch} layouts: {@code rows} responses to
   * a built-in task's prompt, each one of its strategy names and EOS (what the learner's batches
   * hold), one step each of forward with gradients, backward and Adam, alternating. The learner's
   * own step also runs pi_t and the magnet forward on the same layout.
   *
   * @param task the built-in task whose prompt and strategies are used
   * @param rows responses per batch
   * @param promptTokens tokens of the shared prompt
   * @param responseTokens response tokens over the batch
   * @param fullStepMs median step time in the full layout ({@link TokenBatch#of})
   * @param sharedStepMs median step time in the shared-prompt layout ({@link
   *     TokenBatch#sharedPrompts})
   * @param speedup full / shared
   */
  record Layouts(
      String task,
      int rows,
      int promptTokens,
      long responseTokens,
      double fullStepMs,
      double sharedStepMs,
      double speedup) {}

  private List<Layouts> layouts(ModelConfig cfg, Device dev) {
    List<Layouts> out = new ArrayList<>();
    for (PreferenceGame game : List.of(Games.rps(), Games.perturbedRps())) {
      out.add(layouts(cfg, dev, game));
    }
    return out;
  }

  private Layouts layouts(ModelConfig cfg, Device dev, PreferenceGame game) {
    ByteTokenizer tok = ByteTokenizer.standard();
    int[] prompt = tok.encodePrompt(game.prompt());
    List<String> moves = game.strategies();
    SplittableRandom rng = new SplittableRandom(seed);
    List<PromptResponse> pairs = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      String move = moves.get(rng.nextInt(moves.size()));
      pairs.add(new PromptResponse(prompt, tok.encodeResponse(move, true)));
    }
    TokenBatch full = TokenBatch.of(cfg, pairs);
    TokenBatch shared = TokenBatch.sharedPrompts(cfg, pairs);
    try (PolicyModel model = PolicyModel.create(cfg, dev, seed);
        AdamOptimizer opt = new AdamOptimizer(model, AdamConfig.of(1e-4))) {
      double[] ms =
          alternatingMedians(
              () -> nllStep(model, opt, full), () -> nllStep(model, opt, shared), trainSteps);
      double f = ms[0];
      double sh = ms[1];
      return new Layouts(
          game.name(), batch, prompt.length, shared.responseTokenCount(), f, sh, f / sh);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Memory

  private MemoryProbe.Memory memory(Device dev) {
    List<String> cmd = new ArrayList<>();
    cmd.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(MemoryProbe.HEAP);
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("ai.djl.")
          || name.startsWith("PYTORCH_")
          || name.equals("DJL_CACHE_DIR")) {
        cmd.add("-D" + name + "=" + System.getProperty(name));
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MemoryProbe.class.getName());
    cmd.add(device);
    cmd.add(Integer.toString(samples));
    cmd.add(Integer.toString(newTokens));
    cmd.add(Integer.toString(decodeSteps));
    cmd.add(Long.toString(seed));
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String result = null;
      try (var reader =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.startsWith(MemoryProbe.PREFIX)) {
            result = line.substring(MemoryProbe.PREFIX.length());
          }
        }
      }
      int rc = p.waitFor();
      if (rc != 0 || result == null) {
        throw new IllegalStateException("the memory probe exited with status " + rc);
      }
      return new ObjectMapper().readValue(result, MemoryProbe.Memory.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run the memory probe", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the memory probe ran", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Warm-up

  /**
   * The warm-up on perturbed-rps from a fresh model, and a start from the warm-up cache.
   *
   * @param steps optimizer steps until within tolerance (or the budget)
   * @param seconds wall time of the warm-up
   * @param probabilities exact probabilities of rock, paper, scissors afterwards
   * @param maxAbsError the largest |p - initial|
   * @param validMass total probability of the three strategies
   * @param sampledValidFraction fraction of 1,000 sampled responses that are strategies
   * @param cachedStartSeconds time to get the same model from the warm-up cache
   */
  record Warmup(
      int steps,
      double seconds,
      boolean converged,
      double[] probabilities,
      double maxAbsError,
      double validMass,
      double sampledValidFraction,
      double cachedStartSeconds) {}

  private Warmup warmup(ModelConfig cfg, Device dev) {
    WarmupCorpus corpus = WarmupCorpus.of(RPS_PROMPT, RPS_STRATEGIES, RPS_INITIAL);
    WarmupConfig wc = WarmupConfig.defaults(seed);
    Path dir;
    try {
      dir = Files.createTempDirectory("lodestone-bench-warmup");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    WarmupCache cache = new WarmupCache(dir);
    try {
      WarmupCache.Entry trained =
          cache.getOrTrain("perturbed-rps", corpus, cfg, wc, dev, WarmupListener.NONE);
      WarmupResult r = trained.training();
      WarmupEvaluation e = r.evaluation();
      double validFraction;
      try (PolicyModel model = trained.model()) {
        int[] prompt = ByteTokenizer.standard().encodePrompt(RPS_PROMPT);
        List<SampledResponse> rs = model.sample(prompt, 1000, SamplingParams.of(12), seed);
        long valid =
            rs.stream().filter(s -> RPS_STRATEGIES.contains(s.text()) && s.finished()).count();
        validFraction = valid / 1000.0;
      }
      long t0 = System.nanoTime();
      WarmupCache.Entry again =
          cache.getOrTrain("perturbed-rps", corpus, cfg, wc, dev, WarmupListener.NONE);
      double cachedSeconds = (System.nanoTime() - t0) / 1e9;
      boolean fromCache = again.fromCache();
      again.model().close();
      if (!fromCache) {
        throw new IllegalStateException("the second warm-up did not come from the cache");
      }
      return new Warmup(
          r.steps(),
          r.elapsed().toMillis() / 1000.0,
          r.converged(),
          e.probabilities().get(0),
          e.maxAbsError(),
          e.minValidMass(),
          validFraction,
          cachedSeconds);
    } finally {
      FileUtils.deleteQuietly(dir.toFile());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static Map<String, Object> engineMap(Engines.EngineInfo e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pytorchVersion", e.pytorchVersion());
    m.put("djlVersion", e.djlVersion());
    m.put("flavor", e.flavor());
    m.put("intraOpThreads", e.intraOpThreads());
    m.put("interOpThreads", e.interOpThreads());
    m.put("cacheDir", e.cacheDir().toString());
    m.put("nativesExtracted", e.nativesExtracted());
    m.put("loadMs", e.loadTime().toMillis());
    m.put("gpuCount", e.gpuCount());
    m.put("ompWaitPolicy", e.ompWaitPolicy());
    return m;
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static double timeMs(Runnable r, int times) {
    long t0 = System.nanoTime();
    for (int i = 0; i < times; i++) {
      r.run();
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  /**
   * Median times in ms of {@code a} and {@code b} over {@code steps} calls each, after three
   * untimed calls of each: one call of each, alternately and in alternating order, so that both see
   * the same share of the machine's load.
   *
   * @return the medians of {@code a} and of {@code b}
   */
  private static double[] alternatingMedians(Runnable a, Runnable b, int steps) {
    for (int i = 0; i < 3; i++) {
      a.run();
      b.run();
    }
    double[] aMs = new double[steps];
    double[] bMs = new double[steps];
    for (int i = 0; i < steps; i++) {
      if (i % 2 == 0) {
        aMs[i] = timeMs(a, 1);
        bMs[i] = timeMs(b, 1);
      } else {
        bMs[i] = timeMs(b, 1);
        aMs[i] = timeMs(a, 1);
      }
    }
    return new double[] {median(aMs), median(bMs)};
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
