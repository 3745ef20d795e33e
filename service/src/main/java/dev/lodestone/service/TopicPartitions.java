package dev.lodestone.service;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** The partitions of a topic as a service needs them: at start, and around a transaction. */
public final class TopicPartitions {
  private TopicPartitions() {}

  /**
   * The partitions of {@code topic}.
   *
   * @throws ServiceException naming the service and the topic when it does not exist
   */
  public static List<TopicPartition> of(
      String service, Consumer<?, ?> consumer, String topic, Duration timeout) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      throw new ServiceException(
          service
              + ": topic "
              + topic
              + " does not exist; create the catalogue's topics first (lodestone up does)");
    }
    return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
  }

  /**
   * Seeks each of {@code parts} that the consumer still owns back to its committed offset, or to
   * the beginning where none was committed, so that its uncommitted records come again (after an
   * aborted transaction). A partition moved to another member starts there from the committed
   * offset anyway.
   */
  public static void rewind(Consumer<?, ?> consumer, Set<TopicPartition> parts) {
    Set<TopicPartition> owned = consumer.assignment();
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(parts);
    for (TopicPartition tp : parts) {
      if (!owned.contains(tp)) {
        continue;
      }
      OffsetAndMetadata at = committed.get(tp);
      if (at != null) {
        consumer.seek(tp, at);
      } else {
        consumer.seekToBeginning(List.of(tp));
      }
    }
  }

  /** The offsets after the last record of each partition of a poll: what a commit records. */
  public static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<?, ?> records) {
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      var part = records.records(tp);
      next.put(tp, new OffsetAndMetadata(part.get(part.size() - 1).offset() + 1));
    }
    return next;
  }
}
