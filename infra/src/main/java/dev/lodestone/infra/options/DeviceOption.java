package dev.lodestone.infra.options;

import dev.lodestone.policy.Engines;
import picocli.CommandLine.Option;

/** {@code --device}: where the policy model runs. */
public final class DeviceOption {

  @Option(
      names = "--device",
      paramLabel = "DEVICE",
      defaultValue = Engines.DEFAULT_DEVICE,
      description =
          "cpu, gpu or gpu:N: where the policy model runs (default: ${DEFAULT-VALUE}); a GPU needs"
              + " CUDA natives (docs/policy-benchmark.md, GPU).")
  public String device;
}
