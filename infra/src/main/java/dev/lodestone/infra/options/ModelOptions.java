package dev.lodestone.infra.options;

import dev.lodestone.infra.run.ModelSize;
import dev.lodestone.policy.warmup.WarmupCache;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The policy architecture the warm-up trains, and where warm-ups are cached. */
public final class ModelOptions {

  @Option(
      names = "--model",
      paramLabel = "SIZE",
      defaultValue = "default",
      description =
          "Policy architecture: default (d 128, 2 layers, context 128) or tiny (d 32, 1 layer,"
              + " context 64; faster, for tests and smoke runs) (default: ${DEFAULT-VALUE}).")
  public String model;

  @Option(
      names = "--warmup-cache",
      paramLabel = "DIR",
      description =
          "Where warmed-up weights are cached (default: $LODESTONE_CACHE_DIR/warmup, else"
              + " ~/.cache/lodestone/warmup).")
  public Path warmupCache;

  public ModelSize size(CommandSpec spec) {
    try {
      return ModelSize.parse(model);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
    }
  }

  public Path cacheDir() {
    return warmupCache == null ? WarmupCache.defaultDirectory() : warmupCache;
  }
}
