package dev.lodestone.judge.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.judge.streams.JudgeCounters;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import dev.lodestone.schemas.serde.DeadLetterReason;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class MetricsPublisherTest {

  @Test
  void shouldPublishTheCurrentCountsKeyedByComponentAndALastEventOnClose() {
    JudgeCounters counters = new JudgeCounters();
    MockProducer<String, MetricEvent> producer =
        new MockProducer<>(
            true,
            null,
            new StringSerializer(),
            TopicSerdes.valueSerde(Topics.METRICS, new InMemorySchemaRegistry()).serializer());
    MetricsPublisher publisher =
        new MetricsPublisher(
            "judge", "a", Map.of("judgeId", "oracle"), counters::values, producer, () -> 42_000L);

    counters.groupJudged(3);
    publisher.publish();
    counters.groupJudged(1);
    counters.groupSkipped();
    counters.deadLetter(DeadLetterReason.UNDECODABLE);
    publisher.close();

    List<ProducerRecord<String, MetricEvent>> sent = producer.history();
    assertThat(sent).hasSize(2);
    assertThat(sent).extracting(ProducerRecord::topic).containsOnly("metrics");
    assertThat(sent).extracting(ProducerRecord::key).containsOnly("judge");
    MetricEvent first = sent.get(0).value();
    assertThat(first.getComponent()).isEqualTo("judge");
    assertThat(first.getInstanceId()).isEqualTo("a");
    assertThat(first.getStep()).isEqualTo(-1);
    assertThat(first.getTags()).containsEntry("judgeId", "oracle");
    assertThat(first.getTime()).isEqualTo(Instant.ofEpochMilli(42_000L));
    assertThat(first.getValues())
        .containsEntry("judge/groupsJudged", 1.0)
        .containsEntry("judge/labelsEmitted", 3.0)
        .containsEntry("judge/deadLetters", 0.0);
    assertThat(sent.get(1).value().getValues())
        .containsEntry("judge/groupsJudged", 2.0)
        .containsEntry("judge/labelsEmitted", 4.0)
        .containsEntry("judge/groupsSkipped", 1.0)
        .containsEntry("judge/deadLetters/UNDECODABLE", 1.0)
        .containsEntry("judge/deadLetters", 1.0);
    assertThat(producer.closed()).isTrue();
  }
}
