package dev.lodestone.judge.streams;

import static dev.lodestone.judge.testing.TestGroups.utf8;

import dev.lodestone.judge.testing.TestGroups;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** The label-join topology under TopologyTestDriver, with typed inputs and outputs. */
final class LabelJoinHarness implements AutoCloseable {
  static final Instant START = Instant.parse("2027-01-01T00:00:00Z");

  final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  final LabelJoinCounters counters = new LabelJoinCounters();
  final TopologyTestDriver driver;
  final TestInputTopic<byte[], byte[]> samples;
  final TestInputTopic<byte[], byte[]> labels;
  final TestOutputTopic<String, LabeledGroup> labeled;
  final TestOutputTopic<String, DeadLetter> deadLetters;
  final AvroSerializer<SampleGroup> sampleSerializer =
      TopicSerdes.valueSerde(Topics.SAMPLES, registry).serializer();
  final AvroSerializer<PreferenceLabel> labelSerializer =
      TopicSerdes.valueSerde(Topics.LABELS, registry).serializer();

  LabelJoinHarness(LabelJoinConfig config) {
    driver =
        new TopologyTestDriver(
            LabelJoinTopology.build(config, registry, counters),
            config
                .streams()
                .streamsProperties(ClusterConfig.of("localhost:9092", "http://localhost:8081")),
            START);
    samples =
        driver.createInputTopic(
            Topics.SAMPLES.name(), new ByteArraySerializer(), new ByteArraySerializer());
    labels =
        driver.createInputTopic(
            Topics.LABELS.name(), new ByteArraySerializer(), new ByteArraySerializer());
    labeled =
        driver.createOutputTopic(
            Topics.LABELED.name(),
            new StringDeserializer(),
            TopicSerdes.valueDeserializer(Topics.LABELED, registry));
    deadLetters =
        driver.createOutputTopic(
            Topics.DEAD_LETTERS.name(),
            new StringDeserializer(),
            TopicSerdes.valueDeserializer(Topics.DEAD_LETTERS, registry));
  }

  void sample(SampleGroup group) {
    samples.pipeInput(utf8(group.getGroupId()), sampleSerializer.encode(group));
  }

  void label(String groupId, int i, int j, double p, String judgeId) {
    label(TestGroups.label(groupId, i, j, p, judgeId));
  }

  void label(PreferenceLabel label) {
    labels.pipeInput(utf8(label.getGroupId()), labelSerializer.encode(label));
  }

  void advance(Duration wallClock) {
    driver.advanceWallClockTime(wallClock);
  }

  long entries(String store) {
    KeyValueStore<Bytes, byte[]> kv = driver.getKeyValueStore(store);
    long n = 0;
    try (KeyValueIterator<Bytes, byte[]> it = kv.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  /**
   * Entries of pending groups: their state, labels and deadlines (the deadline index also holds one
   * entry per remembered emitted group, which are not counted here; see {@link #emitted()}).
   */
  long stateEntries() {
    return entries(LabelJoinTopology.GROUPS_STORE)
        + entries(LabelJoinTopology.LABELS_STORE)
        + entries(LabelJoinTopology.DEADLINES_STORE)
        - emitted();
  }

  /** Emitted group ids remembered for the duplicate window. */
  long emitted() {
    return entries(LabelJoinTopology.EMITTED_STORE);
  }

  @Override
  public void close() {
    driver.close();
  }
}
