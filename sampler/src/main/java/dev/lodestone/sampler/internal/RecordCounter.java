package dev.lodestone.sampler.internal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts records of one topic by kind, from start offsets its caller names, on a thread of its own
 * with blocking polls. {@link #counts(List)} never blocks: it returns what the thread has counted
 * from those offsets so far. A consumer polled now and then with a zero timeout by the caller's own
 * thread instead does one step of a fetch per call, and fell behind by tens of thousands of records
 * under a flood of dead letters.
 *
 * <p>What a record is, the caller's {@link Classifier} says: the index of the count it adds to, or
 * -1 for none; a classifier that throws counts the record as unreadable.
 */
public final class RecordCounter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RecordCounter.class);
  private static final Duration POLL = Duration.ofMillis(200);

  /** Sorts one record into a count. */
  @FunctionalInterface
  public interface Classifier {
    /**
     * @return the index of the count the record adds to, or -1 for none
     * @throws Exception when the record cannot be read (it is counted as unreadable)
     */
    int classify(ConsumerRecord<byte[], byte[]> record) throws Exception;
  }

  /** The counts from one start, published whole. */
  private record Counted(List<Long> from, long[] counts) {}

  private final Consumer<byte[], byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final Classifier classifier;
  private final int kinds;
  private final Thread thread;
  private final Object fromChanged = new Object();
  private volatile List<Long> requested;
  private volatile Counted counted;
  private volatile long unreadable;
  private volatile RuntimeException failure;
  private volatile boolean closing;

  /**
   * Starts the reading thread; it waits for the first {@link #counts(List)} to learn where to read
   * from.
   *
   * @param name names the thread
   * @param consumer a consumer for this counter alone, not subscribed, with no group; it is
   *     assigned {@code partitions}, used by the thread alone and closed by {@link #close()}
   * @param partitions the partitions of the topic, by partition number
   * @param kinds how many counts the classifier sorts into
   * @param classifier sorts each record
   */
  public RecordCounter(
      String name,
      Consumer<byte[], byte[]> consumer,
      List<TopicPartition> partitions,
      int kinds,
      Classifier classifier) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.partitions = List.copyOf(partitions);
    if (this.partitions.isEmpty()) {
      throw new IllegalArgumentException("the topic has no partitions");
    }
    if (kinds < 1) {
      throw new IllegalArgumentException("kinds must be >= 1, got " + kinds);
    }
    this.kinds = kinds;
    this.classifier = Objects.requireNonNull(classifier, "classifier");
    this.counted = new Counted(null, new long[kinds]);
    this.thread = new Thread(this::read, name);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * The counts of the records from {@code from} (the start offset of each partition, by partition
   * number; empty: each partition's beginning), as far as read. Other offsets than the last call's
   * start the count again from them: until the thread has moved there, the counts are 0.
   *
   * @throws IllegalStateException when the reading failed (not for an unreachable cluster, which
   *     the consumer waits out)
   * @throws IllegalArgumentException when {@code from} is neither empty nor one offset per
   *     partition
   */
  public long[] counts(List<Long> from) {
    RuntimeException failed = failure;
    if (failed != null) {
      throw new IllegalStateException("reading " + partitions.get(0).topic() + " failed", failed);
    }
    if (!from.isEmpty() && from.size() != partitions.size()) {
      throw new IllegalArgumentException(
          "need "
              + partitions.size()
              + " start offsets for "
              + partitions.get(0).topic()
              + ", got "
              + from.size());
    }
    if (!from.equals(requested)) {
      requested = List.copyOf(from);
      synchronized (fromChanged) {
        fromChanged.notifyAll();
      }
    }
    Counted c = counted;
    return from.equals(c.from()) ? c.counts().clone() : new long[kinds];
  }

  /** How many partitions the topic has. */
  public int partitions() {
    return partitions.size();
  }

  /** The records the classifier could not read (and were not counted). */
  public long unreadable() {
    return unreadable;
  }

  /** Stops the thread and closes the consumer. */
  @Override
  public void close() throws InterruptedException {
    closing = true;
    consumer.wakeup();
    synchronized (fromChanged) {
      fromChanged.notifyAll();
    }
    thread.join();
    consumer.close();
  }

  private void read() {
    List<Long> from = null;
    long[] counts = new long[kinds];
    try {
      while (!closing) {
        List<Long> wanted = requested;
        if (wanted == null) {
          synchronized (fromChanged) {
            if (requested == null && !closing) {
              fromChanged.wait(POLL.toMillis());
            }
          }
          continue;
        }
        if (!wanted.equals(from)) {
          seek(wanted);
          from = wanted;
          counts = new long[kinds];
          counted = new Counted(from, counts.clone());
        }
        boolean changed = false;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          int kind;
          try {
            kind = classifier.classify(record);
          } catch (Exception e) {
            unreadable++;
            LOG.debug(
                "an unreadable record at {}-{} offset {}: {}",
                record.topic(),
                record.partition(),
                record.offset(),
                e.toString());
            continue;
          }
          if (kind >= 0) {
            counts[kind]++;
            changed = true;
          }
        }
        if (changed) {
          counted = new Counted(from, counts.clone());
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
        LOG.error("reading {} failed: {}", partitions.get(0).topic(), e.toString());
        failure = e;
      }
    }
  }

  private void seek(List<Long> from) {
    consumer.assign(partitions);
    if (from.isEmpty()) {
      consumer.seekToBeginning(partitions);
      return;
    }
    for (TopicPartition tp : partitions) {
      consumer.seek(tp, Math.max(0, from.get(tp.partition())));
    }
  }
}
