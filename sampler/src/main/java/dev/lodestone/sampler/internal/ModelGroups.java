package dev.lodestone.sampler.internal;

import dev.lodestone.sampler.GroupIds;
import dev.lodestone.schemas.avro.SampleGroup;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The groups of one model published to {@code samples}: a {@link RecordCounter} reads the topic
 * from the offsets where the model's version 0 found it ({@code samplesBaseOffsets}) and counts the
 * records that decode to a group of this model. Other models' groups on the same topics and bytes
 * that are no group are not counted, so they cannot hold this model's samplers back.
 *
 * <p>The reading lags what was just published; this sampler's own groups do not wait for it: {@link
 * #produced(List, long)} adds the groups this sampler published that the thread has not read yet
 * (it tells them by their group ids, {@code samplerId-sequence} from the sequence this process
 * started at). Other samplers' latest groups are counted once read, a few hundred milliseconds
 * later.
 */
public final class ModelGroups implements AutoCloseable {
  private static final int OTHERS = 0;
  private static final int OWN = 1;

  private final RecordCounter counter;

  /**
   * Starts the reading thread.
   *
   * @param name names the thread ({@code NAME-model-groups})
   * @param consumer a consumer for this count alone, not subscribed, with no group; closed by
   *     {@link #close()}
   * @param samples decodes a record of {@code samples}
   * @param modelId the sampler's model
   * @param samplerId the sampler's id
   * @param firstSequence the sequence number of this process's first group
   * @param partitions the partitions of {@code samples}, by partition number
   */
  public ModelGroups(
      String name,
      Consumer<byte[], byte[]> consumer,
      Deserializer<SampleGroup> samples,
      String modelId,
      String samplerId,
      long firstSequence,
      List<TopicPartition> partitions) {
    Objects.requireNonNull(samples, "samples");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(samplerId, "samplerId");
    this.counter =
        new RecordCounter(
            name + "-model-groups",
            consumer,
            partitions,
            2,
            record -> classify(record, samples, modelId, samplerId, firstSequence));
  }

  private static int classify(
      ConsumerRecord<byte[], byte[]> record,
      Deserializer<SampleGroup> samples,
      String modelId,
      String samplerId,
      long firstSequence) {
    SampleGroup group = samples.deserialize(record.topic(), record.headers(), record.value());
    if (group == null || !modelId.equals(group.getModelId())) {
      return -1;
    }
    try {
      GroupIds.Parts parts = GroupIds.parse(group.getGroupId());
      return parts.samplerId().equals(samplerId) && parts.sequence() >= firstSequence
          ? OWN
          : OTHERS;
    } catch (IllegalArgumentException e) {
      return OTHERS;
    }
  }

  /**
   * The model's groups in {@code samples} from {@code baseOffsets} (one per partition), as far as
   * read, plus those of the {@code ownPublished} groups this process published that are not read
   * yet. Other base offsets than the last call's start the count again.
   */
  public long produced(List<Long> baseOffsets, long ownPublished) {
    long[] c = counter.counts(baseOffsets);
    return c[OTHERS] + c[OWN] + Math.max(0, ownPublished - c[OWN]);
  }

  /** Whether {@code baseOffsets} has one offset per partition of {@code samples}. */
  public boolean covers(List<Long> baseOffsets) {
    return baseOffsets.size() == counter.partitions();
  }

  /** Stops the thread and closes the consumer. */
  @Override
  public void close() throws InterruptedException {
    counter.close();
  }
}
