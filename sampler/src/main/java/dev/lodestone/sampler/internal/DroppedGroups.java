package dev.lodestone.sampler.internal;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.SampleGroup;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of {@code samples} that left flight without reaching the learner: the label join's
 * dead letters of {@code samples} (garbage, invalid or oversize groups, repeats of a group, groups
 * whose labels never came). Every such record is counted among the produced groups and never in the
 * learner's {@code consumedGroups}, so without this count each of them would hold the samplers back
 * for good; the sampler subtracts it from its produced groups.
 *
 * <p>A {@link RecordCounter} reads {@code dead-letters} from the model's {@code deadLettersBase}
 * (the topic's end offset when the model's version 0 was published) and sorts the label join's
 * letters of {@code samples} by the sample record they carry: a group of this model, a group of
 * another model, or bytes that are no group. {@link #count(long, boolean)} gives the first kind
 * alone to a sampler that counts its model's groups only ({@link ModelGroups}), all three to one
 * that counts every record of {@code samples}. It never blocks.
 *
 * <p>The base is a sum over the topic's partitions, exact for the catalogue's single partition; on
 * a topic created with several, the letters are counted from each partition's beginning, which lets
 * the samplers run ahead by the older letters, never hold them back. A letter that cannot be
 * decoded is not counted.
 */
public final class DroppedGroups implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DroppedGroups.class);

  /** The label join's component name in its dead letters. */
  static final String LABEL_JOIN = "label-join";

  private static final int THIS_MODEL = 0;
  private static final int OTHER_MODEL = 1;
  private static final int NO_GROUP = 2;

  private final RecordCounter counter;
  private final int partitions;
  private boolean warned;

  /**
   * Starts the reading thread.
   *
   * @param name names the thread ({@code NAME-dropped-groups})
   * @param consumer a consumer for this count alone, not subscribed, with no group; closed by
   *     {@link #close()}
   * @param letters decodes a dead letter's value
   * @param samples decodes the sample record a letter carries
   * @param modelId the sampler's model
   * @param partitions the partitions of {@code dead-letters}
   */
  public DroppedGroups(
      String name,
      Consumer<byte[], byte[]> consumer,
      Deserializer<DeadLetter> letters,
      Deserializer<SampleGroup> samples,
      String modelId,
      List<TopicPartition> partitions) {
    Objects.requireNonNull(letters, "letters");
    Objects.requireNonNull(samples, "samples");
    Objects.requireNonNull(modelId, "modelId");
    this.partitions = partitions.size();
    this.counter =
        new RecordCounter(
            name + "-dropped-groups",
            consumer,
            partitions,
            3,
            record -> classify(record, letters, samples, modelId));
  }

  private static int classify(
      ConsumerRecord<byte[], byte[]> record,
      Deserializer<DeadLetter> letters,
      Deserializer<SampleGroup> samples,
      String modelId) {
    DeadLetter letter = letters.deserialize(record.topic(), record.headers(), record.value());
    if (letter == null
        || !LABEL_JOIN.equals(letter.getComponent())
        || !Topics.SAMPLES.name().equals(letter.getSourceTopic())) {
      return -1;
    }
    ByteBuffer value = letter.getValue();
    if (value == null) {
      return NO_GROUP;
    }
    byte[] bytes = new byte[value.remaining()];
    value.duplicate().get(bytes);
    SampleGroup group;
    try {
      group = samples.deserialize(Topics.SAMPLES.name(), bytes);
    } catch (RuntimeException e) {
      return NO_GROUP;
    }
    if (group == null) {
      return NO_GROUP;
    }
    return modelId.equals(group.getModelId()) ? THIS_MODEL : OTHER_MODEL;
  }

  /**
   * The sample records the label join dead-lettered since {@code deadLettersBase}, as far as read:
   * this model's groups only when {@code thisModelOnly}, else every record. A new base (the first
   * call, another incarnation's version 0) starts the count again from it: until the thread has
   * moved there, the count is 0.
   *
   * @throws IllegalStateException when the reading failed
   */
  public long count(long deadLettersBase, boolean thisModelOnly) {
    List<Long> from;
    if (partitions == 1) {
      from = List.of(Math.max(0, deadLettersBase));
    } else {
      from = List.of();
      if (!warned) {
        LOG.warn(
            "{} has {} partitions: the sample groups it holds are counted from its beginning",
            Topics.DEAD_LETTERS.name(),
            partitions);
        warned = true;
      }
    }
    long[] c = counter.counts(from);
    return thisModelOnly ? c[THIS_MODEL] : c[THIS_MODEL] + c[OTHER_MODEL] + c[NO_GROUP];
  }

  /** The dead letters that could not be decoded (and were not counted). */
  public long unreadable() {
    return counter.unreadable();
  }

  /** Stops the thread and closes the consumer. */
  @Override
  public void close() throws InterruptedException {
    counter.close();
  }
}
