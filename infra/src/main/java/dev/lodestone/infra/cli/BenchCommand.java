package dev.lodestone.infra.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone bench}: measured benchmarks, one subcommand each. Performance figures come from
 * here, never from tests (DESIGN.md section 7).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measured benchmarks; each prints its figures (--json for machine-readable).",
    subcommands = {BenchStackCommand.class})
public final class BenchCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
