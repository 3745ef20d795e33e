package dev.lodestone.infra.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone bench}: the measured benchmarks, one subcommand each. Every performance or
 * convergence figure Lodestone publishes comes from one of them, never from tests (docs/design.md,
 * "The machine").
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measured benchmarks; each prints its figures (--json for machine-readable).",
    subcommands = {
      BenchGamesCommand.class,
      BenchPolicyCommand.class,
      BenchStackCommand.class,
      BenchLearnerCommand.class,
      BenchAlgorithmsCommand.class,
      BenchChaosCommand.class
    })
public final class BenchCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
