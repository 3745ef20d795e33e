package dev.lodestone.infra.chaos;

import dev.lodestone.infra.cli.Lodestone;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code lodestone} command in a JVM of its own, with the class path the launcher uses (the
 * packaged jar and {@code target/lib}, passed by failsafe as {@code lodestone.runtime.classpath}),
 * or this JVM's class path when that is not set (the launcher's, for the chaos benchmark).
 * PyTorch's OpenMP threads sleep when idle ({@code OMP_WAIT_POLICY=PASSIVE}) and each JVM runs one
 * intra-op thread, so that several of them share the cores; the DJL settings of the test JVM are
 * passed on. Standard output and error go to files.
 */
public final class LodestoneProcess implements AutoCloseable {
  private static final String[] PASSED_ON = {
    "ai.djl.offline", "PYTORCH_VERSION", "PYTORCH_FLAVOR", "DJL_CACHE_DIR"
  };

  private final String name;
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private LodestoneProcess(String name, Process process, Path stdout, Path stderr) {
    this.name = name;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Starts {@code lodestone ARGS}; its output goes to {@code dir/name.out} and {@code .err}. */
  public static LodestoneProcess start(Path dir, String name, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx384m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Djava.io.tmpdir=" + dir);
    command.add("-Dai.djl.pytorch.num_threads=1");
    command.add("-Dai.djl.pytorch.num_interop_threads=1");
    for (String p : PASSED_ON) {
      String v = System.getProperty(p);
      if (v != null) {
        command.add("-D" + p + "=" + v);
      }
    }
    command.add("-cp");
    command.add(
        System.getProperty("lodestone.runtime.classpath", System.getProperty("java.class.path")));
    command.add(Lodestone.class.getName());
    command.addAll(args);
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
            .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    return new LodestoneProcess(name, pb.start(), out, err);
  }

  public String name() {
    return name;
  }

  /** The operating-system process. */
  public Process process() {
    return process;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything written to standard output so far. */
  public String stdout() throws IOException {
    return Files.exists(stdout) ? Files.readString(stdout, StandardCharsets.UTF_8) : "";
  }

  /** Everything written to standard error so far. */
  public String stderr() throws IOException {
    return Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
  }

  /** Kills the process at once (SIGKILL: no shutdown hook, no clean close) and waits for it. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * Asks the process to stop (SIGTERM) and returns its exit status; fails after {@code timeout}.
   */
  public int stop(Duration timeout) throws Exception {
    process.destroy();
    return awaitExit(timeout);
  }

  /** Waits for the exit and returns its status; fails after {@code timeout}. */
  public int awaitExit(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          name + " did not exit within " + timeout + "; stderr:\n" + tail());
    }
    return process.exitValue();
  }

  /** The last lines of standard error, for failure messages. */
  public String tail() throws IOException {
    String e = stderr();
    return e.length() > 4000 ? e.substring(e.length() - 4000) : e;
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
