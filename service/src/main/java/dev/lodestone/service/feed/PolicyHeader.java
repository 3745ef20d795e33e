package dev.lodestone.service.feed;

import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PolicyVersion;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The metadata of one complete, verified policy or magnet version: the fields its chunks share,
 * without the weights.
 *
 * @param modelId the model the version belongs to
 * @param role {@link ModelRole#POLICY} (the iterate the samplers follow) or {@link
 *     ModelRole#MAGNET}
 * @param version the version number of this role's weights
 * @param magnetVersion the magnet version in force when the version was made
 * @param step learner steps applied to produce the weights
 * @param algorithm e.g. {@code mpo} or {@code warmup}
 * @param consumedGroups labelled groups the learner had consumed in all when it made the version
 *     (for back-pressure)
 * @param groupsPerVersion labelled groups the learner consumes between two versions; 0 when the
 *     publisher did not say
 * @param samplesBase the sum of the end offsets of {@code samples} when the model's version 0 was
 *     published: the records before it are not this model's groups (0: unknown, all count)
 * @param deadLettersBase the sum of the end offsets of {@code dead-letters} when the model's
 *     version 0 was published: the sample groups dead-lettered after it left flight (0: unknown)
 * @param samplesBaseOffsets the end offset of each partition of {@code samples} (index: partition)
 *     when the model's version 0 was published: the model's groups are its records after them
 *     (empty: unknown, {@code samplesBase} counts)
 * @param sha256 lower-case hex SHA-256 of the whole weight blob, verified
 * @param totalBytes size of the weight blob
 * @param time when the version was published
 * @param partition the partition of the topic the version was read from
 * @param lastOffset the offset of the chunk that completed the version
 */
public record PolicyHeader(
    String modelId,
    ModelRole role,
    long version,
    long magnetVersion,
    long step,
    String algorithm,
    long consumedGroups,
    int groupsPerVersion,
    long samplesBase,
    long deadLettersBase,
    List<Long> samplesBaseOffsets,
    String sha256,
    long totalBytes,
    Instant time,
    int partition,
    long lastOffset) {

  /** Checks that the references are present. */
  public PolicyHeader {
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(time, "time");
    samplesBaseOffsets = List.copyOf(samplesBaseOffsets);
  }

  /** The header of a version from one of its chunks and the position of its last chunk. */
  public static PolicyHeader of(PolicyVersion chunk, String sha256, int partition, long offset) {
    return new PolicyHeader(
        chunk.getModelId(),
        chunk.getRole(),
        chunk.getVersion(),
        chunk.getMagnetVersion(),
        chunk.getStep(),
        chunk.getAlgorithm(),
        chunk.getConsumedGroups(),
        chunk.getGroupsPerVersion(),
        chunk.getSamplesBase(),
        chunk.getDeadLettersBase(),
        chunk.getSamplesBaseOffsets(),
        sha256,
        chunk.getTotalBytes(),
        chunk.getTime(),
        partition,
        offset);
  }

  /** E.g. {@code model m POLICY version 7 (step 700, magnet 3)}. */
  public String describe() {
    return "model "
        + modelId
        + " "
        + role
        + " version "
        + version
        + " (step "
        + step
        + ", magnet "
        + magnetVersion
        + ")";
  }
}
