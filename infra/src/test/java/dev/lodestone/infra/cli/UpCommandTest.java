package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lodestone up} where it fails before anything starts, and its help. */
class UpCommandTest {

  /** Exit code, standard output and standard error of one in-process run. */
  record Outcome(int exitCode, String out, String err) {}

  static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Lodestone.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void shouldDocumentEveryOptionAndWhatItPrints() {
    Outcome help = run("up", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains(
            "--host",
            "--kafka-port",
            "--registry-port",
            "--controller-port",
            "--data-dir",
            "--start-timeout",
            "--json",
            "--help",
            "Kafka bootstrap: HOST:PORT",
            "Schema registry: URL",
            "default: 9092",
            "default: 8081",
            "default: 127.0.0.1");
  }

  @Test
  void shouldListUpAndBenchInTheTopLevelHelp() {
    Outcome help = run("--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("up", "Start the local stack", "bench");
  }

  @Test
  void shouldReportAKafkaPortInUseInOneLineNamingThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int port = taken.getLocalPort();

      Outcome up = run("up", "--kafka-port", Integer.toString(port), "--registry-port", "0");

      assertThat(up.exitCode()).isEqualTo(1);
      assertThat(up.out()).isEmpty();
      assertThat(up.err())
          .isEqualTo(
              "lodestone up: port "
                  + port
                  + " on 127.0.0.1 for the Kafka broker is already in use"
                  + " (choose another with --kafka-port, or 0 for a free one)"
                  + System.lineSeparator());
    }
  }

  @Test
  void shouldReportARegistryPortInUseNamingItsOption() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int port = taken.getLocalPort();

      Outcome up = run("up", "--kafka-port", "0", "--registry-port", Integer.toString(port));

      assertThat(up.exitCode()).isEqualTo(1);
      assertThat(up.err())
          .contains("port " + port + " on 127.0.0.1 for the schema registry is already in use")
          .contains("--registry-port")
          .doesNotContain("\tat ");
    }
  }

  @Test
  void shouldReportADataDirectoryThatCannotBeCreated(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    Path dataDir = file.resolve("data");

    Outcome up =
        run("up", "--kafka-port", "0", "--registry-port", "0", "--data-dir", dataDir.toString());

    assertThat(up.exitCode()).isEqualTo(1);
    assertThat(up.err())
        .startsWith("lodestone up: data directory " + dataDir + " cannot be created")
        .hasLineCount(1);
  }

  @Test
  void shouldRefuseAPortOutOfRangeNamingTheOption() {
    Outcome up = run("up", "--kafka-port", "70000");
    assertThat(up.exitCode()).isEqualTo(2);
    assertThat(up.err())
        .isEqualTo(
            "lodestone up: --kafka-port must be between 0 (a free port) and 65535, got 70000"
                + System.lineSeparator());
  }
}
