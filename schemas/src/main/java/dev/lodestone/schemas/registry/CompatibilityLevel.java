package dev.lodestone.schemas.registry;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A subject's compatibility rule, as Confluent Schema Registry defines it.
 *
 * <p>BACKWARD: a reader using the new schema can read data written with the previous schema (or all
 * previous schemas when transitive). FORWARD: readers of the previous schema(s) can read data
 * written with the new one. FULL: both. NONE: no check.
 */
public enum CompatibilityLevel {
  /** No check. */
  NONE(false, false, false),
  /** The new schema can read data written with the latest registered schema. */
  BACKWARD(true, false, false),
  /** The new schema can read data written with every registered schema of the subject. */
  BACKWARD_TRANSITIVE(true, false, true),
  /** The latest registered schema can read data written with the new schema. */
  FORWARD(false, true, false),
  /** Every registered schema of the subject can read data written with the new schema. */
  FORWARD_TRANSITIVE(false, true, true),
  /** BACKWARD and FORWARD against the latest registered schema. */
  FULL(true, true, false),
  /** BACKWARD and FORWARD against every registered schema of the subject. */
  FULL_TRANSITIVE(true, true, true);

  /** The level of a subject that has none of its own and of a fresh registry. */
  public static final CompatibilityLevel DEFAULT = BACKWARD;

  private final boolean backward;
  private final boolean forward;
  private final boolean transitive;

  CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
    this.backward = backward;
    this.forward = forward;
    this.transitive = transitive;
  }

  /** Whether the new schema must read data written with the previous schema(s). */
  public boolean checksBackward() {
    return backward;
  }

  /** Whether the previous schema(s) must read data written with the new schema. */
  public boolean checksForward() {
    return forward;
  }

  /** Whether the check runs against every previous version rather than only the latest. */
  public boolean isTransitive() {
    return transitive;
  }

  /**
   * Parses a level as the REST API spells it ({@code BACKWARD}, {@code full_transitive}, ...).
   *
   * @throws IllegalArgumentException naming the bad value and the accepted ones
   */
  public static CompatibilityLevel parse(String name) {
    if (name != null) {
      String normalized = name.trim().toUpperCase(Locale.ROOT);
      for (CompatibilityLevel level : values()) {
        if (level.name().equals(normalized)) {
          return level;
        }
      }
    }
    throw new IllegalArgumentException(
        "compatibility level '"
            + name
            + "' is not one of "
            + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
  }
}
