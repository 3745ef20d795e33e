package dev.lodestone.service;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** The partitions of a topic, as a service needs them at start. */
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
}
