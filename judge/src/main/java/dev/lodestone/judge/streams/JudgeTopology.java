package dev.lodestone.judge.streams;

import dev.lodestone.judge.PairJudge;
import dev.lodestone.judge.streams.internal.JudgeProcessor;
import dev.lodestone.judge.streams.internal.RecordValidation;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.Topology;

/**
 * The judge application: {@code samples} → {@code labels} (+ {@code dead-letters}).
 *
 * <pre>
 * samples (bytes) ──► judge ──► labels        key groupId, one PreferenceLabel per pair i &lt; j
 *                           └─► dead-letters  key "samples": UNDECODABLE, INVALID_RECORD, OVERSIZE
 * </pre>
 *
 * Values are read as bytes and decoded by the schemas serdes, so a record that cannot be decoded
 * becomes a dead letter (with its topic, partition, offset and the decoder's reason) and the
 * application keeps going. Valid groups the judge does not accept are skipped and counted. A
 * group's labels are forwarded together while the group is processed, so under {@code
 * exactly_once_v2} they are committed with its input offset: all or none. Stateless: instances with
 * the same application id split the partitions of {@code samples}.
 */
public final class JudgeTopology {
  private JudgeTopology() {}

  /** Node name of the {@code samples} source. */
  public static final String SOURCE = "samples-source";

  /** Node name of the judging processor. */
  public static final String PROCESSOR = "judge";

  /** Node name of the {@code labels} sink. */
  public static final String LABELS_SINK = "labels-sink";

  /** Node name of the {@code dead-letters} sink. */
  public static final String DEAD_LETTERS_SINK = "dead-letters-sink";

  /**
   * Builds the topology. Pure: nothing connects anywhere until Kafka Streams runs it.
   *
   * @param config the judge's configuration (its limits)
   * @param judge the pair judge, shared by all stream threads
   * @param registry the schema registry of the serdes
   * @param counters where the topology counts what it does
   */
  public static Topology build(
      JudgeConfig config, PairJudge judge, SchemaRegistryClient registry, JudgeCounters counters) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(judge, "judge");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(counters, "counters");
    AvroDeserializer<SampleGroup> samples = TopicSerdes.valueDeserializer(Topics.SAMPLES, registry);
    RecordValidation validation = new RecordValidation(config.limits());
    Topology topology = new Topology();
    topology.addSource(
        SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.SAMPLES.name());
    topology.addProcessor(
        PROCESSOR,
        () ->
            new JudgeProcessor(
                judge, samples, validation, counters, LABELS_SINK, DEAD_LETTERS_SINK),
        SOURCE);
    topology.addSink(
        LABELS_SINK,
        Topics.LABELS.name(),
        TopicSerdes.keySerde().serializer(),
        TopicSerdes.valueSerde(Topics.LABELS, registry).serializer(),
        PROCESSOR);
    topology.addSink(
        DEAD_LETTERS_SINK,
        Topics.DEAD_LETTERS.name(),
        TopicSerdes.keySerde().serializer(),
        TopicSerdes.valueSerde(Topics.DEAD_LETTERS, registry).serializer(),
        PROCESSOR);
    return topology;
  }
}
