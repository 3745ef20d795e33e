package dev.lodestone.schemas;

import dev.lodestone.schemas.avro.ModelRole;
import java.util.Optional;

/**
 * The record keys of the catalogue's keyed topics, written and parsed here only.
 *
 * <ul>
 *   <li>{@code policy}: {@code modelId/ROLE/chunkIndex}, e.g. {@code perturbed-rps/POLICY/0}; one
 *       key per chunk, so that compaction keeps the newest version of each role;
 *   <li>{@code learner-state}: {@code modelId/chunkIndex}.
 * </ul>
 *
 * Model ids never contain {@code /} (every component validates them).
 */
public final class RecordKeys {
  private RecordKeys() {}

  /** The parts of a {@code policy} key. */
  public record PolicyKey(String modelId, ModelRole role, int chunkIndex) {}

  /** The key of chunk {@code chunkIndex} of a policy or magnet version of {@code modelId}. */
  public static String policy(String modelId, ModelRole role, int chunkIndex) {
    return modelId + "/" + role + "/" + chunkIndex;
  }

  /** Parses a {@code policy} key; empty when {@code key} is not one. */
  public static Optional<PolicyKey> parsePolicy(String key) {
    if (key == null) {
      return Optional.empty();
    }
    int last = key.lastIndexOf('/');
    if (last <= 0) {
      return Optional.empty();
    }
    int middle = key.lastIndexOf('/', last - 1);
    if (middle <= 0) {
      return Optional.empty();
    }
    ModelRole role;
    int chunk;
    try {
      role = ModelRole.valueOf(key.substring(middle + 1, last));
      chunk = Integer.parseInt(key.substring(last + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.of(new PolicyKey(key.substring(0, middle), role, chunk));
  }

  /** The key of chunk {@code chunkIndex} of a learner checkpoint of {@code modelId}. */
  public static String checkpoint(String modelId, int chunkIndex) {
    return modelId + "/" + chunkIndex;
  }

  /** Whether {@code key} is a {@code learner-state} key of {@code modelId}. */
  public static boolean isCheckpointOf(String key, String modelId) {
    if (key == null || !key.startsWith(modelId + "/")) {
      return false;
    }
    String rest = key.substring(modelId.length() + 1);
    return !rest.isEmpty() && rest.chars().allMatch(Character::isDigit);
  }
}
