package dev.lodestone.infra.chaos;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The settings of one run of the chaos benchmark.
 *
 * @param dir where the stack's data, the components' logs and the warm-up cache go
 * @param seed draws the kill points
 * @param kills how many times each scenario kills (SIGKILL) its component
 * @param steps the learner's step budget in every scenario
 * @param outageSeconds how long the broker and the registry are down in the outage scenario
 * @param badRecordsPerKind records of each kind of damage per input topic (bad-input scenario)
 */
public record ChaosSettings(
    Path dir, long seed, int kills, long steps, int outageSeconds, int badRecordsPerKind) {

  /** Checks the values. */
  public ChaosSettings {
    Objects.requireNonNull(dir, "dir");
    if (kills < 1) {
      throw new IllegalArgumentException("kills must be at least 1, got " + kills);
    }
    if (steps < 8) {
      throw new IllegalArgumentException("steps must be at least 8, got " + steps);
    }
    if (outageSeconds < 1) {
      throw new IllegalArgumentException("outageSeconds must be at least 1, got " + outageSeconds);
    }
    if (badRecordsPerKind < 1) {
      throw new IllegalArgumentException(
          "badRecordsPerKind must be at least 1, got " + badRecordsPerKind);
    }
  }
}
