package dev.lodestone.judge.streams;

import dev.lodestone.judge.streams.internal.LabelJoinProcessor;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The label join: {@code samples} + {@code labels} → {@code labeled} (+ {@code dead-letters}).
 *
 * <pre>
 * samples (bytes) ──┐                  ┌─► labeled       key groupId: LabeledGroup
 *                   ├──► label-join ───┤
 * labels  (bytes) ──┘    (4 stores)    └─► dead-letters  key source topic
 * </pre>
 *
 * Both sources feed one processor, so Kafka Streams runs them in one sub-topology with one task per
 * partition number: task n joins partition n of {@code samples} with partition n of {@code labels}.
 * That is correct only when both topics have the same number of partitions and both are keyed by
 * group id with the default partitioner; {@link LabelJoinService} checks the partition counts
 * before it starts. The persistent stores ({@value #GROUPS_STORE}, {@value #LABELS_STORE}, {@value
 * #DEADLINES_STORE}, {@value #EMITTED_STORE}) are backed by changelog topics, so state survives
 * restarts and moves with its task. What the processor does with each record: {@link
 * LabelJoinProcessor}.
 *
 * <p>Dead-letter reasons: UNDECODABLE (either topic), INVALID_RECORD (a sample or a label breaking
 * a rule, a label index out of range or i == j), DUPLICATE_GROUP (a second sample with the id of a
 * pending group, or of one emitted within the duplicate window), OVERSIZE, INVALID_PROBABILITY
 * (NaN, infinite or outside [0, 1]), UNKNOWN_GROUP (a label whose group did not arrive in time) and
 * INCOMPLETE_GROUP (a group given up for lack of labels or room).
 */
public final class LabelJoinTopology {
  private LabelJoinTopology() {}

  /** Node name of the {@code samples} source. */
  public static final String SAMPLES_SOURCE = "samples-source";

  /** Node name of the {@code labels} source. */
  public static final String LABELS_SOURCE = "labels-source";

  /** Node name of the joining processor. */
  public static final String PROCESSOR = "label-join";

  /** Node name of the {@code labeled} sink. */
  public static final String LABELED_SINK = "labeled-sink";

  /** Node name of the {@code dead-letters} sink. */
  public static final String DEAD_LETTERS_SINK = "dead-letters-sink";

  /** Pending groups: groupId → the sample (once arrived), deadline, complete pairs. */
  public static final String GROUPS_STORE = "label-join-groups";

  /** Labels of pending groups: (groupId, i, j, judgeId) → probability and provenance. */
  public static final String LABELS_STORE = "label-join-labels";

  /** Deadline index: (deadline, groupId) → nothing; ordered by deadline. */
  public static final String DEADLINES_STORE = "label-join-deadlines";

  /** Emitted groups within their duplicate window: groupId → emission time and group size. */
  public static final String EMITTED_STORE = "label-join-emitted";

  /**
   * Builds the topology. Pure: nothing connects anywhere until Kafka Streams runs it.
   *
   * @param config the join's configuration
   * @param registry the schema registry of the serdes
   * @param counters where the topology counts what it does
   */
  public static Topology build(
      LabelJoinConfig config, SchemaRegistryClient registry, LabelJoinCounters counters) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(counters, "counters");
    var samples = TopicSerdes.valueDeserializer(Topics.SAMPLES, registry);
    var labels = TopicSerdes.valueDeserializer(Topics.LABELS, registry);
    var stores =
        new LabelJoinProcessor.StoreNames(
            GROUPS_STORE, LABELS_STORE, DEADLINES_STORE, EMITTED_STORE);
    Topology topology = new Topology();
    topology.addSource(
        SAMPLES_SOURCE,
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer(),
        Topics.SAMPLES.name());
    topology.addSource(
        LABELS_SOURCE,
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer(),
        Topics.LABELS.name());
    topology.addProcessor(
        PROCESSOR,
        () ->
            new LabelJoinProcessor(
                config, samples, labels, counters, stores, LABELED_SINK, DEAD_LETTERS_SINK),
        SAMPLES_SOURCE,
        LABELS_SOURCE);
    topology.addStateStore(store(GROUPS_STORE), PROCESSOR);
    topology.addStateStore(store(LABELS_STORE), PROCESSOR);
    topology.addStateStore(store(DEADLINES_STORE), PROCESSOR);
    topology.addStateStore(store(EMITTED_STORE), PROCESSOR);
    topology.addSink(
        LABELED_SINK,
        Topics.LABELED.name(),
        TopicSerdes.keySerde().serializer(),
        TopicSerdes.valueSerde(Topics.LABELED, registry).serializer(),
        PROCESSOR);
    topology.addSink(
        DEAD_LETTERS_SINK,
        Topics.DEAD_LETTERS.name(),
        TopicSerdes.keySerde().serializer(),
        TopicSerdes.valueSerde(Topics.DEAD_LETTERS, registry).serializer(),
        PROCESSOR);
    return topology;
  }

  private static StoreBuilder<KeyValueStore<Bytes, byte[]>> store(String name) {
    return Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray());
  }
}
