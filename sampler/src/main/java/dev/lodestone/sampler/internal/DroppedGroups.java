package dev.lodestone.sampler.internal;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
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
 * <p>A thread of its own reads {@code dead-letters} from the model's {@code deadLettersBase} (the
 * topic's end offset when the model's version 0 was published) with a consumer that is never in a
 * group, and counts the letters of component {@code label-join} whose source topic is {@code
 * samples}. The reading runs beside the sampling loop, with blocking polls: a consumer polled only
 * now and then with a zero timeout does a step of its fetch per call and fell behind by tens of
 * thousands of letters under a flood of bad records, holding a paused sampler back for minutes.
 * {@link #count(long)} never blocks: it returns what the thread has counted from that base so far.
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

  private static final Duration POLL = Duration.ofMillis(200);

  /** The count from one base: what {@link #count(long)} reads, published whole. */
  private record Count(long base, long dropped) {}

  private final Consumer<byte[], byte[]> consumer;
  private final Deserializer<DeadLetter> letters;
  private final List<TopicPartition> partitions;
  private final Thread thread;
  private final Object baseChanged = new Object();
  private volatile long requestedBase = -1;
  private volatile Count counted = new Count(-1, 0);
  private volatile long unreadable;
  private volatile RuntimeException failure;
  private volatile boolean closing;

  /**
   * Starts the reading thread; it waits for the first {@link #count(long)} to learn its base.
   *
   * @param name names the thread ({@code NAME-dropped-groups})
   * @param consumer a consumer for this gauge alone, not subscribed, with no group; it is assigned
   *     the partitions of {@code dead-letters}, used by the thread alone and closed by {@link
   *     #close()}
   * @param letters decodes a dead letter's value
   * @param partitions the partitions of {@code dead-letters}
   */
  public DroppedGroups(
      String name,
      Consumer<byte[], byte[]> consumer,
      Deserializer<DeadLetter> letters,
      List<TopicPartition> partitions) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.letters = Objects.requireNonNull(letters, "letters");
    this.partitions = List.copyOf(partitions);
    if (this.partitions.isEmpty()) {
      throw new IllegalArgumentException("dead-letters has no partitions");
    }
    this.thread = new Thread(this::read, name + "-dropped-groups");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * The sample records the label join dead-lettered since {@code deadLettersBase}, as far as read.
   * A new base (the first call, another model's version 0) starts the count again from it: until
   * the thread has moved there, the count is 0.
   *
   * @throws IllegalStateException when the reading failed (not for an unreachable cluster, which
   *     the consumer waits out)
   */
  public long count(long deadLettersBase) {
    RuntimeException failed = failure;
    if (failed != null) {
      throw new IllegalStateException("reading " + Topics.DEAD_LETTERS.name() + " failed", failed);
    }
    if (deadLettersBase != requestedBase) {
      requestedBase = deadLettersBase;
      synchronized (baseChanged) {
        baseChanged.notifyAll();
      }
    }
    Count c = counted;
    return c.base() == deadLettersBase ? c.dropped() : 0;
  }

  /** The dead letters that could not be decoded (and were not counted). */
  public long unreadable() {
    return unreadable;
  }

  /** Stops the thread and closes the consumer. */
  @Override
  public void close() throws InterruptedException {
    closing = true;
    consumer.wakeup();
    synchronized (baseChanged) {
      baseChanged.notifyAll();
    }
    thread.join();
    consumer.close();
  }

  private void read() {
    long base = -1;
    long dropped = 0;
    try {
      while (!closing) {
        long wanted = requestedBase;
        if (wanted < 0) {
          synchronized (baseChanged) {
            if (requestedBase < 0 && !closing) {
              baseChanged.wait(POLL.toMillis());
            }
          }
          continue;
        }
        if (wanted != base) {
          seek(wanted);
          base = wanted;
          dropped = 0;
          counted = new Count(base, 0);
        }
        long before = dropped;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          if (isDroppedSample(record)) {
            dropped++;
          }
        }
        if (dropped != before) {
          counted = new Count(base, dropped);
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        failure = e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (!closing) {
        LOG.error("reading {} failed: {}", Topics.DEAD_LETTERS.name(), e.toString());
        failure = e;
      }
    }
  }

  private void seek(long deadLettersBase) {
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
