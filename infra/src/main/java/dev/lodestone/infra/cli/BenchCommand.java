package dev.lodestone.infra.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code lodestone bench}: the measured benchmarks, one subcommand each. Every performance or
 * convergence figure Lodestone publishes comes from one of them (DESIGN.md section 7).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measured benchmarks with their figures.",
    subcommands = {BenchGamesCommand.class})
public final class BenchCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
