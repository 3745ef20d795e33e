package dev.lodestone.infra.log;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.LabelProvenance;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.LearnerCheckpoint;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.RecordDecodingException;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Exports the committed records of one topic ({@code read_committed}), partition by partition in
 * offset order, to a file:
 *
 * <ul>
 *   <li>{@link Format#AVRO}: an Avro object container file of {@link LoggedRecords} (deflate), the
 *       schema embedded: any Avro reader reads it, and {@link LogImporter} imports it;
 *   <li>{@link Format#JSONL}: the same records in Avro's JSON encoding, one per line;
 *   <li>{@link Format#TRL} and {@link Format#TRL_CONVERSATIONAL} (topic {@code labeled} only): one
 *       JSON line per labelled pair in TRL's preference format, {@code prompt}, {@code chosen},
 *       {@code rejected} (strings, or lists of chat messages), with the preference probability and
 *       the judges' provenance as extra fields; a tied pair (probability 1/2) has no chosen
 *       response and is left out.
 * </ul>
 *
 * The range is fixed when the export starts (the end offsets then), so an export of a live topic
 * ends. The file appears whole or not at all: it is written beside the target and moved into place.
 */
public final class LogExporter {
  private static final Duration POLL = Duration.ofMillis(500);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Output formats. */
  public enum Format {
    AVRO,
    JSONL,
    TRL,
    TRL_CONVERSATIONAL
  }

  /**
   * Which records: from {@code fromOffset} or the first at or after {@code fromTime} (else the
   * beginning), up to before {@code toOffset} or the first at or after {@code toTime} (else the end
   * when the export starts); offsets apply to every partition. With {@code modelId}, only the
   * records of that model (see {@link #modelOf}).
   */
  public record Range(
      Long fromOffset, Instant fromTime, Long toOffset, Instant toTime, String modelId) {
    /** Everything. */
    public static final Range ALL = new Range(null, null, null, null, null);

    public Range {
      if (fromOffset != null && fromTime != null) {
        throw new IllegalArgumentException("give a start offset or a start time, not both");
      }
      if (toOffset != null && toTime != null) {
        throw new IllegalArgumentException("give an end offset or an end time, not both");
      }
      if (fromOffset != null && fromOffset < 0) {
        throw new IllegalArgumentException("the start offset must be >= 0, got " + fromOffset);
      }
      if (toOffset != null && toOffset < 0) {
        throw new IllegalArgumentException("the end offset must be >= 0, got " + toOffset);
      }
    }
  }

  /** Progress, called every few thousand records and at the end of each partition. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (partition, offset, end, exported) -> {};

    void at(int partition, long offset, long end, long exported);
  }

  /**
   * What an export did.
   *
   * @param records records read and exported (for TRL: labelled groups read)
   * @param lines lines or container records written (for TRL: pairs)
   * @param skipped records that could not be decoded, left out
   * @param ties TRL only: tied pairs left out
   * @param otherModels records of other models left out (with a model id in the range)
   */
  public record Result(long records, long lines, long skipped, long ties, long otherModels) {}

  /**
   * The model a record belongs to: a sample group's (inside a labelled group too), a policy
   * version's or checkpoint's, a metric event's {@code modelId} tag; empty for a record of no model
   * (a sample written before sample groups named their model).
   *
   * @throws IllegalArgumentException for a type that names no model (prompts, labels, dead letters)
   */
  public static String modelOf(Object value) {
    if (value instanceof SampleGroup g) {
      return g.getModelId();
    }
    if (value instanceof LabeledGroup l) {
      return l.getGroup().getModelId();
    }
    if (value instanceof PolicyVersion v) {
      return v.getModelId();
    }
    if (value instanceof LearnerCheckpoint c) {
      return c.getModelId();
    }
    if (value instanceof MetricEvent m) {
      return m.getTags().getOrDefault("modelId", "");
    }
    throw new IllegalArgumentException(value.getClass().getSimpleName() + " records name no model");
  }

  /** Whether a topic's records name their model (so that an export can keep one model's). */
  public static boolean namesModels(TopicSpec<?> topic) {
    Class<?> t = topic.valueType();
    return t == SampleGroup.class
        || t == LabeledGroup.class
        || t == PolicyVersion.class
        || t == LearnerCheckpoint.class
        || t == MetricEvent.class;
  }

  private final ClusterConfig cluster;
  private final SchemaRegistryClient registry;

  public LogExporter(ClusterConfig cluster, SchemaRegistryClient registry) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * Exports a topic's records in the range to {@code out}.
   *
   * @throws IllegalArgumentException for a TRL export of a topic other than {@code labeled}
   * @throws IOException when the file cannot be written (nothing is left at {@code out})
   */
  public <V extends SpecificRecord> Result export(
      TopicSpec<V> topic, Range range, Format format, Path out, Progress progress)
      throws IOException {
    boolean trl = format == Format.TRL || format == Format.TRL_CONVERSATIONAL;
    if (range.modelId() != null && !namesModels(topic)) {
      throw new IllegalArgumentException(
          "the records of " + topic.name() + " name no model: leave out the model id");
    }
    if (trl && topic.valueType() != LabeledGroup.class) {
      throw new IllegalArgumentException(
          "the TRL formats export labelled pairs: --topic labeled or replay, not " + topic.name());
    }
    Path dir = out.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path partial = Files.createTempFile(dir, "." + out.getFileName(), ".partial");
    try {
      Result result;
      try (Sink<V> sink = sink(topic, format, partial)) {
        result = read(topic, range, sink, progress);
      }
      Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return result;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private <V extends SpecificRecord> Result read(
      TopicSpec<V> topic, Range range, Sink<V> sink, Progress progress) throws IOException {
    AvroDeserializer<V> values = TopicSerdes.valueDeserializer(topic, registry);
    Properties p = cluster.clientProperties("lodestone-export");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES);
    long records = 0;
    long skipped = 0;
    long otherModels = 0;
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalArgumentException("topic " + topic.name() + " does not exist");
      }
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo info : infos) {
        parts.add(new TopicPartition(topic.name(), info.partition()));
      }
      parts.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      Map<TopicPartition, OffsetAndTimestamp> fromTime =
          range.fromTime() == null ? Map.of() : times(consumer, parts, range.fromTime());
      Map<TopicPartition, OffsetAndTimestamp> toTime =
          range.toTime() == null ? Map.of() : times(consumer, parts, range.toTime());
      for (TopicPartition tp : parts) {
        long first = begin.get(tp);
        long last = end.get(tp); // exclusive
        if (range.fromOffset() != null) {
          first = Math.max(first, range.fromOffset());
        } else if (range.fromTime() != null) {
          OffsetAndTimestamp at = fromTime.get(tp);
          first = at == null ? last : Math.max(first, at.offset());
        }
        if (range.toOffset() != null) {
          last = Math.min(last, range.toOffset());
        } else if (range.toTime() != null) {
          OffsetAndTimestamp at = toTime.get(tp);
          last = at == null ? last : Math.min(last, at.offset());
        }
        if (first >= last) {
          progress.at(tp.partition(), last, last, records);
          continue;
        }
        consumer.assign(List.of(tp));
        consumer.seek(tp, first);
        long next = System.nanoTime();
        while (consumer.position(tp) < last) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
            if (r.offset() >= last) {
              continue;
            }
            V value;
            try {
              value = values.decode(r.topic(), r.partition(), r.offset(), r.value());
            } catch (RecordDecodingException e) {
              skipped++;
              continue;
            }
            if (range.modelId() != null && !range.modelId().equals(modelOf(value))) {
              otherModels++;
              continue;
            }
            sink.write(r, value);
            records++;
          }
          if (System.nanoTime() - next >= 0) {
            progress.at(tp.partition(), consumer.position(tp), last, records);
            next = System.nanoTime() + Duration.ofSeconds(2).toNanos();
          }
        }
        progress.at(tp.partition(), last, last, records);
      }
    }
    return new Result(records, sink.lines(), skipped, sink.ties(), otherModels);
  }

  private static Map<TopicPartition, OffsetAndTimestamp> times(
      KafkaConsumer<?, ?> consumer, List<TopicPartition> parts, Instant time) {
    Map<TopicPartition, Long> query = new java.util.HashMap<>();
    for (TopicPartition tp : parts) {
      query.put(tp, time.toEpochMilli());
    }
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
    return found == null ? Map.of() : new java.util.HashMap<>(found);
  }

  // ---- sinks ------------------------------------------------------------------------------

  private interface Sink<V> extends AutoCloseable {
    void write(ConsumerRecord<String, byte[]> r, V value) throws IOException;

    long lines();

    default long ties() {
      return 0;
    }

    @Override
    void close() throws IOException;
  }

  @SuppressWarnings("unchecked")
  private <V extends SpecificRecord> Sink<V> sink(TopicSpec<V> topic, Format format, Path file)
      throws IOException {
    return switch (format) {
      case AVRO -> new AvroSink<>(topic, file);
      case JSONL -> new JsonSink<>(topic, file);
      case TRL -> (Sink<V>) new TrlSink(file, false);
      case TRL_CONVERSATIONAL -> (Sink<V>) new TrlSink(file, true);
    };
  }

  private static GenericRecord envelope(
      Schema schema, ConsumerRecord<String, byte[]> r, SpecificRecord value) {
    GenericRecord e = new GenericData.Record(schema);
    e.put("topic", r.topic());
    e.put("partition", r.partition());
    e.put("offset", r.offset());
    e.put("timestampMs", r.timestamp());
    e.put("key", r.key());
    e.put("value", value);
    return e;
  }

  private static final class AvroSink<V extends SpecificRecord> implements Sink<V> {
    private final Schema schema;
    private final DataFileWriter<GenericRecord> writer;
    private long lines;

    AvroSink(TopicSpec<V> topic, Path file) throws IOException {
      this.schema = LoggedRecords.schema(topic.valueSchema());
      this.writer =
          new DataFileWriter<GenericRecord>(
                  new SpecificDatumWriter<>(schema, SpecificData.getForClass(topic.valueType())))
              .setCodec(CodecFactory.deflateCodec(6))
              .setMeta(LoggedRecords.TOPIC_META, topic.name());
      writer.create(schema, file.toFile());
    }

    @Override
    public void write(ConsumerRecord<String, byte[]> r, V value) throws IOException {
      writer.append(envelope(schema, r, value));
      lines++;
    }

    @Override
    public long lines() {
      return lines;
    }

    @Override
    public void close() throws IOException {
      writer.close();
    }
  }

  private static final class JsonSink<V extends SpecificRecord> implements Sink<V> {
    private final Schema schema;
    private final SpecificDatumWriter<GenericRecord> datum;
    private final OutputStream out;
    private long lines;

    JsonSink(TopicSpec<V> topic, Path file) throws IOException {
      this.schema = LoggedRecords.schema(topic.valueSchema());
      this.datum = new SpecificDatumWriter<>(schema, SpecificData.getForClass(topic.valueType()));
      this.out = new java.io.BufferedOutputStream(Files.newOutputStream(file));
    }

    @Override
    public void write(ConsumerRecord<String, byte[]> r, V value) throws IOException {
      java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
      JsonEncoder encoder = EncoderFactory.get().jsonEncoder(schema, line);
      datum.write(envelope(schema, r, value), encoder);
      encoder.flush();
      out.write(line.toByteArray());
      out.write('\n');
      lines++;
    }

    @Override
    public long lines() {
      return lines;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** Labelled pairs in TRL's preference format, one JSON object per line. */
  private static final class TrlSink implements Sink<LabeledGroup> {
    private final BufferedWriter out;
    private final boolean conversational;
    private long lines;
    private long ties;

    TrlSink(Path file, boolean conversational) throws IOException {
      this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
      this.conversational = conversational;
    }

    @Override
    public void write(ConsumerRecord<String, byte[]> r, LabeledGroup g) throws IOException {
      for (PairPreference pair : g.getPreferences()) {
        double p = pair.getProbability();
        if (p == 0.5) {
          ties++;
          continue;
        }
        boolean iChosen = p > 0.5;
        int chosen = iChosen ? pair.getI() : pair.getJ();
        int rejected = iChosen ? pair.getJ() : pair.getI();
        ObjectNode line = JSON.createObjectNode();
        String prompt = g.getGroup().getPrompt();
        String chosenText = g.getGroup().getResponses().get(chosen).getText();
        String rejectedText = g.getGroup().getResponses().get(rejected).getText();
        if (conversational) {
          message(line.putArray("prompt"), "user", prompt);
          message(line.putArray("chosen"), "assistant", chosenText);
          message(line.putArray("rejected"), "assistant", rejectedText);
        } else {
          line.put("prompt", prompt);
          line.put("chosen", chosenText);
          line.put("rejected", rejectedText);
        }
        line.put("probability", iChosen ? p : 1.0 - p);
        line.put("group_id", g.getGroup().getGroupId());
        line.put("task", g.getGroup().getTask());
        line.put("chosen_index", chosen);
        line.put("rejected_index", rejected);
        line.put("policy_version", g.getGroup().getPolicyVersion());
        line.put("aggregation", g.getAggregation());
        ArrayNode judges = line.putArray("judges");
        for (LabelProvenance l : pair.getLabels()) {
          judges
              .addObject()
              .put("judge_id", l.getJudgeId())
              .put("judge_kind", l.getJudgeKind().name())
              .put("probability_chosen", iChosen ? l.getProbability() : 1.0 - l.getProbability());
        }
        out.write(JSON.writeValueAsString(line));
        out.write('\n');
        lines++;
      }
    }

    private static void message(ArrayNode messages, String role, String content) {
      messages.addObject().put("role", role).put("content", content);
    }

    @Override
    public long lines() {
      return lines;
    }

    @Override
    public long ties() {
      return ties;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
