package dev.lodestone.infra.bench;

import dev.lodestone.infra.report.Table;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The policy benchmark's targets and its printed table. */
final class PolicyBenchReport {
  private PolicyBenchReport() {}

  /** One target of the issue and whether this run met it. */
  record Target(String name, String target, String measured, boolean met) {}

  static List<Target> targets(
      BenchPolicyCommand.Training t,
      BenchPolicyCommand.Sampling s,
      MemoryProbe.Memory m,
      BenchPolicyCommand.Warmup w) {
    List<Target> out = new ArrayList<>();
    out.add(
        new Target(
            "training tokens/s",
            ">= 20,000",
            String.format("%,.0f", t.projectTokensPerSecond()),
            t.projectTokensPerSecond() >= 20_000));
    out.add(
        new Target(
            "sampling " + s.samples() + " x " + s.newTokens() + " (cache)",
            "<= 0.15 s",
            String.format("%.3f s", s.cachedMs() / 1000),
            s.cachedMs() <= 150));
    out.add(
        new Target(
            "cache speedup at " + s.newTokens() + " tokens",
            ">= 3x",
            String.format("%.1fx", s.cacheSpeedup()),
            s.cacheSpeedup() >= 3));
    out.add(
        new Target(
            "overhead over bare DJL loop",
            "<= 10%",
            String.format("%+.1f%%", t.overhead() * 100),
            t.overhead() <= 0.10));
    out.add(
        new Target(
            "memory growth after 1,000 steps",
            "<= 10%",
            String.format("%+.1f%%", m.growthAfter1000Steps() * 100),
            m.growthAfter1000Steps() <= 0.10));
    out.add(
        new Target(
            "warm-up: max |p - initial|",
            "<= 0.03",
            String.format("%.4f", w.maxAbsError()),
            w.maxAbsError() <= 0.03));
    out.add(
        new Target(
            "warm-up: valid sampled responses",
            ">= 99%",
            String.format("%.1f%%", w.sampledValidFraction() * 100),
            w.sampledValidFraction() >= 0.99));
    return out;
  }

  static void printTable(
      PrintWriter out,
      String device,
      Engines.EngineInfo e,
      ModelConfig cfg,
      BenchPolicyCommand.Training t,
      BenchPolicyCommand.Sampling s,
      BenchPolicyCommand.Scoring sc,
      List<BenchPolicyCommand.Layouts> layouts,
      MemoryProbe.Memory m,
      BenchPolicyCommand.Warmup w,
      Map<String, Object> results) {
    out.printf(
        "Policy benchmark on %s (%d processors, load average %.2f at start, %.2f at end)%n",
        device,
        Runtime.getRuntime().availableProcessors(),
        (double) results.get("loadAverageAtStart"),
        (double) results.get("loadAverageAtEnd"));
    out.printf(
        "Engine: PyTorch %s via DJL %s, flavor %s, %d intra-op / %d inter-op threads,"
            + " OMP_WAIT_POLICY %s, loaded in %d ms%s%n",
        e.pytorchVersion(),
        e.djlVersion(),
        e.flavor(),
        e.intraOpThreads(),
        e.interOpThreads(),
        e.ompWaitPolicy(),
        e.loadTime().toMillis(),
        e.nativesExtracted() ? " (natives extracted now)" : " (natives already in the cache)");
    out.printf(
        "Model: vocab %d, d %d, %d heads, %d layers, context %d, MLP %d, %s head, %,d parameters%n%n",
        cfg.vocabSize(),
        cfg.dModel(),
        cfg.heads(),
        cfg.layers(),
        cfg.contextLength(),
        cfg.mlpHidden(),
        cfg.tiedHead() ? "tied" : "untied",
        cfg.parameterCount());
    Table measures = Table.of("measure", "value").right(1);
    measures.row(
        "training step, project (batch " + t.batch() + " x " + t.seqLen() + ")",
        String.format("%.1f ms", t.projectStepMs()));
    measures.row("training step, bare DJL loop", String.format("%.1f ms", t.baselineStepMs()));
    measures.row("training tokens/s, project", String.format("%,.0f", t.projectTokensPerSecond()));
    measures.row(
        "training tokens/s, bare DJL loop", String.format("%,.0f", t.baselineTokensPerSecond()));
    measures.row("project overhead", String.format("%+.1f%%", t.overhead() * 100));
    measures.row(
        "sampling " + s.samples() + " x " + s.newTokens() + ", cache",
        String.format("%.3f s", s.cachedMs() / 1000));
    measures.row(
        "sampling " + s.samples() + " x " + s.newTokens() + ", no cache",
        String.format("%.3f s", s.uncachedMs() / 1000));
    measures.row("sampling tokens/s, cache", String.format("%,.0f", s.cachedTokensPerSecond()));
    measures.row(
        "sampling tokens/s, no cache", String.format("%,.0f", s.uncachedTokensPerSecond()));
    measures.row("cache speedup", String.format("%.1fx", s.cacheSpeedup()));
    measures.row("greedy identical with/without cache", String.valueOf(s.greedyIdentical()));
    measures.row(
        "scoring tokens/s (" + sc.pairs() + " pairs)",
        String.format("%,.0f", sc.tokensPerSecond()));
    for (BenchPolicyCommand.Layouts lay : layouts) {
      measures.row(
          String.format(
              "learner batch %s (%d x %d+%d), full/shared",
              lay.task(),
              lay.rows(),
              lay.promptTokens(),
              Math.round((double) lay.responseTokens() / lay.rows())),
          String.format("%.1f / %.1f ms", lay.fullStepMs(), lay.sharedStepMs()));
      measures.row("  shared-prompt speedup", String.format("%.2fx", lay.speedup()));
    }
    measures.row("memory: RSS at start", String.format("%.0f MiB", m.rssAtStartMiB()));
    measures.row(
        "memory: RSS after 1,000 steps", String.format("%.0f MiB", m.rssAfter1000StepsMiB()));
    measures.row(
        "memory: max RSS after, to " + String.format("%,d", m.steps()) + " steps",
        String.format("%.0f MiB", m.maxRssAfter1000StepsMiB()));
    measures.row("memory: peak RSS of the probe JVM", String.format("%.0f MiB", m.peakRssMiB()));
    measures.row("memory: probe JVM heap", String.join(" ", m.jvmOptions()));
    measures.row("warm-up perturbed-rps: time", String.format("%.1f s", w.seconds()));
    measures.row("warm-up perturbed-rps: steps", String.valueOf(w.steps()));
    measures.row(
        "warm-up: p(rock, paper, scissors)",
        String.format(
            "%.3f %.3f %.3f", w.probabilities()[0], w.probabilities()[1], w.probabilities()[2]));
    measures.row("warm-up: start from cache", String.format("%.2f s", w.cachedStartSeconds()));
    measures.printPlain(out);
    out.printf("  RSS every 1,000 steps (MiB): %s%n", m.rssEvery1000StepsMiB());
    out.println();
    Table goals = Table.of("target", "wanted", "measured", "met").right(1, 2);
    @SuppressWarnings("unchecked")
    List<Target> targets = (List<Target>) results.get("targets");
    for (Target target : targets) {
      goals.row(target.name(), target.target(), target.measured(), target.met() ? "yes" : "NO");
    }
    goals.printPlain(out);
  }
}
