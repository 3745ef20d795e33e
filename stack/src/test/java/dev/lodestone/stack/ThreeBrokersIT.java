package dev.lodestone.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The three-node stack ({@code up --brokers 3}): every catalogue topic has 3 replicas and
 * min.insync.replicas 2, and with one node stopped the cluster still takes and serves every record,
 * transactions included; the node comes back and catches up.
 */
@Tag("integration")
class ThreeBrokersIT {

  @Test
  void shouldKeepWritingAndReadingWithOneNodeDown() throws Exception {
    try (LocalStack stack = new LocalStack(LocalStackConfig.ephemeral().withBrokers(3))) {
      stack.start(LocalStack.DEFAULT_START_TIMEOUT);
      assertThat(stack.bootstrapServers().split(",")).hasSize(3);
      Properties admin = new Properties();
      admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
      try (Admin a = Admin.create(admin)) {
        Map<String, TopicDescription> topics =
            a.describeTopics(List.of(Topics.SAMPLES.name(), Topics.POLICY.name()))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS);
        for (TopicDescription d : topics.values()) {
          assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
        }
      }

      String topic = Topics.PROMPTS.name();
      List<String> sent = new ArrayList<>();
      send(stack, topic, "before", 50, sent);
      stack.stopBroker(2);
      send(stack, topic, "one-down", 50, sent); // acks=all, min.insync.replicas 2 of 3
      sendTransaction(stack, topic, "txn", 20, sent);
      stack.startBroker(2, Duration.ofSeconds(60));
      send(stack, topic, "after", 50, sent);
      assertThat(readAll(stack, topic)).containsExactlyInAnyOrderElementsOf(sent);
    }
  }

  private static Properties producer(LocalStack stack) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
    return p;
  }

  private static void send(LocalStack stack, String topic, String tag, int n, List<String> sent)
      throws Exception {
    try (KafkaProducer<String, String> p =
        new KafkaProducer<>(producer(stack), new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < n; i++) {
        String v = tag + "-" + i;
        p.send(new ProducerRecord<>(topic, v, v)).get(60, TimeUnit.SECONDS);
        sent.add(v);
      }
    }
  }

  private static void sendTransaction(
      LocalStack stack, String topic, String tag, int n, List<String> sent) {
    Properties props = producer(stack);
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-three-brokers");
    try (KafkaProducer<String, String> p =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      p.initTransactions();
      p.beginTransaction();
      for (int i = 0; i < n; i++) {
        String v = tag + "-" + i;
        p.send(new ProducerRecord<>(topic, v, v));
        sent.add(v);
      }
      p.commitTransaction();
    }
  }

  private static List<String> readAll(LocalStack stack, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
    }
    return out;
  }
}
