package dev.lodestone.infra.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.SampledResponse;
import dev.lodestone.policy.SamplingParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory run, in its own JVM: {@code MemoryProbe device samples newTokens steps seed}. Prints
 * one line, {@value #PREFIX} followed by the {@link Memory} record as JSON.
 */
final class MemoryProbe {
  private MemoryProbe() {}

  /**
   * Resident memory over a long decoding run (repeated sampling calls, one decoding step per
   * generated position), measured in a child JVM whose heap is fixed and touched up front, so that
   * the resident set changes only with native and off-heap memory.
   *
   * @param steps decoding steps run
   * @param rssAtStartMiB resident set size before the first call (heap, natives, weights)
   * @param rssAfter1000StepsMiB resident set size once 1,000 steps had run
   * @param maxRssAfter1000StepsMiB the largest resident set size seen after that
   * @param growthAfter1000Steps max / at-1000 - 1
   * @param peakRssMiB the child's peak resident set size (VmHWM) at the end
   * @param seconds duration of the run
   * @param jvmOptions the child's heap options
   * @param rssEvery1000StepsMiB the resident set size each time another 1,000 steps had run
   */
  record Memory(
      long steps,
      double rssAtStartMiB,
      double rssAfter1000StepsMiB,
      double maxRssAfter1000StepsMiB,
      double growthAfter1000Steps,
      double peakRssMiB,
      double seconds,
      List<String> jvmOptions,
      List<Long> rssEvery1000StepsMiB) {}

  /** Heap options of the memory probe: fixed size, touched at start. */
  static final List<String> HEAP = List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch");

  static final String PREFIX = "memory-probe-result ";

  /** A field of /proc/self/status in MiB, or NaN where there is no such file. */
  static double rssMiB(String field) {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return Double.NaN;
    }
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith(field + ":")) {
          String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
          return Long.parseLong(parts[0]) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  public static void main(String[] args) throws IOException {
    Device dev = Engines.device(args[0]);
    int samples = Integer.parseInt(args[1]);
    int newTokens = Integer.parseInt(args[2]);
    long decodeSteps = Long.parseLong(args[3]);
    long seed = Long.parseLong(args[4]);
    int[] prompt = ByteTokenizer.standard().encodePrompt(BenchPolicyCommand.RPS_PROMPT);
    SamplingParams sp = SamplingParams.of(newTokens);
    Memory m;
    try (PolicyModel model = PolicyModel.create(ModelConfig.defaults(), dev, seed)) {
      double start = rssMiB("VmRSS");
      long steps = 0;
      double at1000 = Double.NaN;
      double maxAfter = 0;
      long t0 = System.nanoTime();
      long call = 0;
      List<Long> trajectory = new ArrayList<>();
      while (steps < decodeSteps) {
        List<SampledResponse> rs = model.sample(prompt, samples, sp, seed + call++);
        int longest = 0;
        for (SampledResponse r : rs) {
          longest = Math.max(longest, r.tokenIds().length);
        }
        long before = steps;
        steps += longest;
        double rss = rssMiB("VmRSS");
        if (steps / 1000 > before / 1000) {
          trajectory.add(Math.round(rss));
        }
        if (Double.isNaN(at1000)) {
          if (steps >= 1000) {
            at1000 = rss;
          }
        } else {
          maxAfter = Math.max(maxAfter, rss);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (Double.isNaN(at1000)) {
        at1000 = rssMiB("VmRSS");
      }
      maxAfter = Math.max(maxAfter, at1000);
      m =
          new Memory(
              steps,
              start,
              at1000,
              maxAfter,
              maxAfter / at1000 - 1,
              rssMiB("VmHWM"),
              seconds,
              HEAP,
              trajectory);
    }
    System.out.println(PREFIX + new ObjectMapper().writeValueAsString(m));
    System.out.flush();
  }
}
