package dev.lodestone.infra.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.infra.cli.Lodestone;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchPolicyCommandTest {

  @Test
  void isRegisteredAsBenchPolicy() {
    CommandLine cli = Lodestone.commandLine();
    CommandLine bench = cli.getSubcommands().get("bench");
    assertThat(bench.getSubcommands()).containsKey("policy");
    Object command = bench.getSubcommands().get("policy").getCommand();
    assertThat(command).isInstanceOf(BenchPolicyCommand.class);
  }

  @Test
  void refusesBadOptionsWithTheirNameAndValue() {
    StringWriter err = new StringWriter();
    CommandLine cli = Lodestone.commandLine();
    cli.setErr(new PrintWriter(err));
    int rc = cli.execute("bench", "policy", "--seq-len", "500");
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("--seq-len must be in [20, 128], got 500");
    err.getBuffer().setLength(0);
    rc = cli.execute("bench", "policy", "--decode-steps", "0");
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("--decode-steps must be at least 1, got 0");
    err.getBuffer().setLength(0);
    rc = cli.execute("bench", "policy", "--new-tokens", "111");
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("--new-tokens must be at most 110 (context), got 111");
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(BenchPolicyCommand.median(new double[] {3, 1, 2})).isEqualTo(2);
    assertThat(BenchPolicyCommand.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
  }
}
