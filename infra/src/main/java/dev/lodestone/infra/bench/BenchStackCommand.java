package dev.lodestone.infra.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.cli.Lodestone;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.io.FileUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone bench stack}: cold-start time of {@code lodestone up}. Each run starts a fresh
 * JVM with {@code up --kafka-port 0 --registry-port 0 --json} on a fresh, empty data directory, and
 * measures from the moment the process is spawned until it reports both endpoints (which it does
 * only once both accept connections; the benchmark connects to both to confirm). It then sends
 * SIGTERM and measures the clean stop.
 */
@Command(
    name = "stack",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Cold starts of `lodestone up`: time from spawning the process until both the Kafka broker"
          + " and the schema registry accept connections, then the time to stop on SIGTERM.",
      "Each run is a fresh JVM on a fresh data directory (storage formatted, topics created).",
      ""
    })
public final class BenchStackCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--runs",
      paramLabel = "N",
      defaultValue = "5",
      description = "Number of cold starts (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--launcher",
      paramLabel = "FILE",
      description =
          "Start each run through this launcher script (the lodestone script at the repository"
              + " root) instead of the same java command line as this process; includes the"
              + " script's own cost.")
  Path launcher;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "120",
      description =
          "Fail a run that is not up within this many seconds (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--json", description = "Print the figures as one JSON object.")
  boolean json;

  /**
   * One cold start: wall-clock milliseconds to both endpoints up, the CPU time the process had used
   * by then (less disturbed by other work on the machine), and milliseconds to a clean stop.
   */
  record Run(double upMillis, double upCpuMillis, double stopMillis, int exitCode) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (runs < 1) {
      err.println("lodestone bench stack: --runs must be at least 1, got " + runs);
      return 2;
    }
    if (launcher != null && !Files.isExecutable(launcher)) {
      err.println("lodestone bench stack: --launcher " + launcher + " is not an executable file");
      return 2;
    }
    List<Run> results = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      Run run = runOnce();
      results.add(run);
      if (!json) {
        out.printf(
            "run %d: up in %.0f ms (%.0f ms of CPU), stopped in %.0f ms (exit %d)%n",
            i + 1, run.upMillis(), run.upCpuMillis(), run.stopMillis(), run.exitCode());
        out.flush();
      }
    }
    double[] up = results.stream().mapToDouble(Run::upMillis).sorted().toArray();
    double[] cpu = results.stream().mapToDouble(Run::upCpuMillis).sorted().toArray();
    double[] stop = results.stream().mapToDouble(Run::stopMillis).sorted().toArray();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("benchmark", "stack");
    report.put("runs", runs);
    report.put("mode", launcher == null ? "java" : "launcher");
    report.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    report.put("upMillisMedian", round(median(up)));
    report.put("upMillisMin", round(up[0]));
    report.put("upMillisMax", round(up[up.length - 1]));
    report.put("upCpuMillisMedian", round(median(cpu)));
    report.put("stopMillisMedian", round(median(stop)));
    report.put("stopMillisMax", round(stop[stop.length - 1]));
    report.put("upMillis", results.stream().map(r -> round(r.upMillis())).toList());
    if (json) {
      out.println(new ObjectMapper().writeValueAsString(report));
    } else {
      out.printf(
          "lodestone up, %d cold starts on %d processors: median %.0f ms, min %.0f ms, max %.0f ms"
              + " to both endpoints accepting connections (median %.0f ms of CPU); stop median %.0f"
              + " ms%n",
          runs,
          Runtime.getRuntime().availableProcessors(),
          median(up),
          up[0],
          up[up.length - 1],
          median(cpu),
          median(stop));
    }
    out.flush();
    return 0;
  }

  private Run runOnce() throws IOException, InterruptedException {
    Path dataDir = Files.createTempDirectory("lodestone-bench-stack-");
    List<String> command = new ArrayList<>();
    if (launcher != null) {
      command.add(launcher.toAbsolutePath().toString());
    } else {
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(Lodestone.class.getName());
    }
    command.addAll(
        List.of(
            "up",
            "--kafka-port",
            "0",
            "--registry-port",
            "0",
            "--data-dir",
            dataDir.toString(),
            "--json"));
    Path stderr = Files.createTempFile("lodestone-bench-stack-", ".stderr");
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
    long t0 = System.nanoTime();
    Process process = builder.start();
    try {
      String line = readLine(process, stderr);
      long tUp = System.nanoTime();
      double cpuMillis =
          process.info().totalCpuDuration().map(d -> d.toNanos() / 1e6).orElse(Double.NaN);
      JsonNode endpoints = new ObjectMapper().readTree(line);
      String bootstrap = endpoints.get("bootstrap").asText();
      URI registry = URI.create(endpoints.get("registry").asText());
      int colon = bootstrap.lastIndexOf(':');
      requireAccepting(
          bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1)));
      requireAccepting(registry.getHost(), registry.getPort());

      long tStop = System.nanoTime();
      process.destroy();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "lodestone up did not stop within " + timeoutSeconds + " s");
      }
      long tStopped = System.nanoTime();
      return new Run((tUp - t0) / 1e6, cpuMillis, (tStopped - tStop) / 1e6, process.exitValue());
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly().waitFor();
      }
      FileUtils.deleteDirectory(dataDir.toFile());
      Files.deleteIfExists(stderr);
    }
  }

  /** The first line {@code up} prints, or an error if it exits or times out first. */
  private String readLine(Process process, Path stderr) throws IOException, InterruptedException {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> pending =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return reader.readLine();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    try {
      String line = pending.get(timeoutSeconds, TimeUnit.SECONDS);
      if (line == null) {
        throw new IllegalStateException(
            "lodestone up exited with "
                + process.waitFor()
                + " before it was up: "
                + lastLine(stderr));
      }
      return line;
    } catch (TimeoutException e) {
      throw new IllegalStateException("lodestone up was not up within " + timeoutSeconds + " s", e);
    } catch (ExecutionException e) {
      throw new IOException("cannot read the output of lodestone up", e.getCause());
    }
  }

  private static String lastLine(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
  }

  private static void requireAccepting(String host, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5_000);
    }
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double round(double millis) {
    return Math.round(millis * 10) / 10.0;
  }
}
