package dev.lodestone.infra.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code lodestone up} in a JVM of its own, started with the class path the launcher uses (the
 * packaged jar and {@code target/lib}, passed by failsafe as {@code lodestone.runtime.classpath}),
 * or the test class path when that is not set.
 */
final class UpProcess implements AutoCloseable {
  private final Process process;
  private final Path stderr;
  private final BufferedReader stdout;

  private UpProcess(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    this.stdout =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Starts {@code lodestone ARGS} with {@code tmpDir} as its {@code java.io.tmpdir}. */
  static UpProcess start(Path tmpDir, Path stderr, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-Djava.io.tmpdir=" + tmpDir);
    command.add("-cp");
    command.add(
        System.getProperty("lodestone.runtime.classpath", System.getProperty("java.class.path")));
    command.add(Lodestone.class.getName());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()))
            .start();
    return new UpProcess(process, stderr);
  }

  /** The next line of standard output, or null at its end; fails after {@code timeout}. */
  String readLine(Duration timeout) throws Exception {
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                return stdout.readLine();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            })
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Everything written to standard error so far. */
  String stderr() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  Process process() {
    return process;
  }

  /** Waits for the exit and returns its status; fails after {@code timeout}. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("lodestone did not exit within " + timeout);
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
