/**
 * The {@code lodestone} command line (docs/design.md, "The command line"): {@link
 * dev.lodestone.infra.cli.Lodestone} is the entry point and registers one class per subcommand,
 * such as {@link dev.lodestone.infra.cli.UpCommand} ({@code lodestone up}) and {@link
 * dev.lodestone.infra.cli.BenchCommand} ({@code lodestone bench ...}). Commands print their results
 * on standard output (one JSON object with {@code --json}), log and report errors on standard
 * error, and return an exit code; only {@code Lodestone.main} exits the JVM.
 */
package dev.lodestone.infra.cli;
