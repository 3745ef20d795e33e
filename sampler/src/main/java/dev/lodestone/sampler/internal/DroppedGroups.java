package dev.lodestone.sampler.internal;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import java.time.Duration;
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
 * whose labels never came). Every such record is counted in the end offsets of {@code samples} and
 * never in the learner's {@code consumedGroups}, so without this count each of them would hold the
 * samplers back for good; the sampler subtracts it from its produced groups.
 *
 * <p>It reads {@code dead-letters} from the model's {@code deadLettersBase} (the topic's end offset
 * when the model's version 0 was published) with a consumer of its own that is never in a group,
 * and counts the letters of component {@code label-join} whose source topic is {@code samples}.
 * {@link #count(long)} never blocks: it takes what the consumer fetched since the last call. The
 * base is a sum over the topic's partitions, exact for the catalogue's single partition; on a topic
 * created with several, the letters are counted from each partition's beginning, which lets the
 * samplers run ahead by the older letters, never hold them back. A letter that cannot be decoded is
 * not counted. Not thread-safe (the sampling thread owns it).
 */
public final class DroppedGroups {
  private static final Logger LOG = LoggerFactory.getLogger(DroppedGroups.class);

  /** The label join's component name in its dead letters. */
  static final String LABEL_JOIN = "label-join";

  private final Consumer<byte[], byte[]> consumer;
  private final Deserializer<DeadLetter> letters;
  private final List<TopicPartition> partitions;
  private long base = -1;
  private long dropped;
  private long unreadable;

  /**
   * @param consumer a consumer for this gauge alone, not subscribed, with no group; it is assigned
   *     the partitions of {@code dead-letters}
   * @param letters decodes a dead letter's value
   * @param partitions the partitions of {@code dead-letters}
   */
  public DroppedGroups(
      Consumer<byte[], byte[]> consumer,
      Deserializer<DeadLetter> letters,
      List<TopicPartition> partitions) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.letters = Objects.requireNonNull(letters, "letters");
    this.partitions = List.copyOf(partitions);
    if (this.partitions.isEmpty()) {
      throw new IllegalArgumentException("dead-letters has no partitions");
    }
  }

  /**
   * The sample records the label join dead-lettered since {@code deadLettersBase}, as far as read.
   * A new base (the first call, another model's version 0) starts the count again from it.
   */
  public long count(long deadLettersBase) {
    if (deadLettersBase != base) {
      consumer.assign(partitions);
      if (partitions.size() == 1) {
        consumer.seek(partitions.get(0), Math.max(0, deadLettersBase));
      } else {
        consumer.seekToBeginning(partitions);
        LOG.warn(
            "{} has {} partitions: the sample groups it holds are counted from its beginning",
            Topics.DEAD_LETTERS.name(),
            partitions.size());
      }
      base = deadLettersBase;
      dropped = 0;
    }
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ZERO)) {
      if (isDroppedSample(record)) {
        dropped++;
      }
    }
    return dropped;
  }

  /** The dead letters that could not be decoded (and were not counted). */
  public long unreadable() {
    return unreadable;
  }

  private boolean isDroppedSample(ConsumerRecord<byte[], byte[]> record) {
    DeadLetter letter;
    try {
      letter = letters.deserialize(record.topic(), record.headers(), record.value());
    } catch (RuntimeException e) {
      unreadable++;
      LOG.debug("an unreadable dead letter at offset {}: {}", record.offset(), e.toString());
      return false;
    }
    return letter != null
        && LABEL_JOIN.equals(letter.getComponent())
        && Topics.SAMPLES.name().equals(letter.getSourceTopic());
  }
}
