package dev.lodestone.infra.log;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Imports a log exported as an Avro object container file ({@link LogExporter.Format#AVRO}) into a
 * topic: the value schema registered, keys kept, each record to its original partition (by key
 * where the topic has fewer partitions), in the file's order.
 *
 * <ul>
 *   <li><b>All or nothing.</b> The whole file is read and checked first; a file that is not an
 *       exported log, holds another type, or is damaged is refused before anything is written. Then
 *       every record goes out in one transaction: an import that fails midway leaves nothing for
 *       {@code read_committed} readers.
 *   <li><b>At most once per file.</b> The transaction also commits an offset for the consumer group
 *       {@code lodestone-import-TOPIC-SHA} (the first 32 hex digits of the file's SHA-256),
 *       atomically with the records. An import finds that marker and writes nothing the second
 *       time.
 * </ul>
 */
public final class LogImporter {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /**
   * What an import did.
   *
   * @param records records written (0 when the file was imported before)
   * @param alreadyImported whether the marker of this file was found, so nothing was written
   * @param marker the consumer group that marks the file as imported
   * @param sha256 the file's SHA-256
   * @param firstOffset on a one-partition topic, the offset of the file's first record (also when
   *     it was imported before: read back from the marker); -1 otherwise or for an empty file
   * @param endOffset on a one-partition topic, the offset after the file's last record; -1
   *     otherwise or for an empty file
   */
  public record Result(
      long records,
      boolean alreadyImported,
      String marker,
      String sha256,
      long firstOffset,
      long endOffset) {}

  /** How the marker's metadata records the offsets the file went to. */
  private static final Pattern RANGE = Pattern.compile("offsets (\\d+)\\.\\.(\\d+)$");

  private final ClusterConfig cluster;
  private final SchemaRegistryClient registry;

  public LogImporter(ClusterConfig cluster, SchemaRegistryClient registry) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** The offsets an earlier import recorded in its marker's metadata: {from, to}, or -1s. */
  static long[] range(Map<TopicPartition, OffsetAndMetadata> marker) {
    long[] range = {-1, -1};
    for (OffsetAndMetadata m : marker.values()) {
      Matcher r = m == null ? null : RANGE.matcher(m.metadata());
      if (r != null && r.find()) {
        range[0] = Long.parseLong(r.group(1));
        range[1] = Long.parseLong(r.group(2));
      }
    }
    return range;
  }

  /** The marker group of a file's import into a topic. */
  public static String marker(String topic, String sha256) {
    return "lodestone-import-" + topic + "-" + sha256.substring(0, 32);
  }

  /**
   * Imports {@code file} into {@code topic}.
   *
   * @param keepTimestamps write the records' original timestamps (else the import's time; old
   *     timestamps fall under the topic's time-based retention at once)
   * @throws InvalidLogException when the file is refused; nothing was written
   * @throws IOException when the file cannot be read
   */
  public <V extends SpecificRecord> Result importFile(
      Path file, TopicSpec<V> topic, boolean keepTimestamps)
      throws InvalidLogException, IOException, InterruptedException {
    String sha = sha256(file);
    Schema writerValue = check(file, topic);
    SpecificData data = SpecificData.getForClass(topic.valueType());
    Schema readerEnvelope = LoggedRecords.schema(topic.valueSchema());
    long count = 0;
    // Pass 1: every record decodes into the current class.
    try (DataFileReader<GenericRecord> in = reader(file, readerEnvelope, data)) {
      while (in.hasNext()) {
        in.next();
        count++;
      }
      // A whole file ends with the sync marker of its last block; a cut one does not (a cut that
      // falls exactly on a block boundary is the one damage this cannot see).
      long end = Files.size(file);
      if (in.previousSync() != end) {
        throw new InvalidLogException(
            file
                + " is damaged: its last block is incomplete ("
                + count
                + " whole records, "
                + (end - in.previousSync())
                + " bytes after the last block)",
            null);
      }
    } catch (RuntimeException e) {
      throw new InvalidLogException(
          file + " is damaged after " + count + " records (" + e.getMessage() + ")", e);
    }
    String marker = marker(topic.name(), sha);
    try (Admin admin = Admin.create(cluster.clientProperties("lodestone-import-admin"))) {
      int partitions =
          admin
              .describeTopics(java.util.List.of(topic.name()))
              .allTopicNames()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .get(topic.name())
              .partitions()
              .size();
      Map<TopicPartition, OffsetAndMetadata> done =
          admin
              .listConsumerGroupOffsets(marker)
              .partitionsToOffsetAndMetadata()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (done != null && !done.isEmpty()) {
        long[] range = range(done);
        return new Result(0, true, marker, sha, range[0], range[1]);
      }
      AvroSerializer<V> values =
          TopicSerdes.valueSerializer(topic, registry, SchemaRegistration.AUTO_REGISTER);
      long written = 0;
      Future<RecordMetadata> firstSent = null;
      Future<RecordMetadata> lastSent = null;
      try (KafkaProducer<String, byte[]> producer = producer(marker)) {
        producer.initTransactions();
        producer.beginTransaction();
        try (DataFileReader<GenericRecord> in = reader(file, readerEnvelope, data)) {
          while (in.hasNext()) {
            GenericRecord e = in.next();
            @SuppressWarnings("unchecked")
            V value = (V) e.get("value");
            Object key = e.get("key");
            int partition = (Integer) e.get("partition");
            lastSent =
                producer.send(
                    new ProducerRecord<>(
                        topic.name(),
                        partition < partitions ? partition : null,
                        keepTimestamps ? (Long) e.get("timestampMs") : null,
                        key == null ? null : key.toString(),
                        values.encode(value)));
            firstSent = firstSent == null ? lastSent : firstSent;
            written++;
          }
          producer.flush();
          long from = -1;
          long to = -1;
          String range = "";
          if (partitions == 1 && firstSent != null) {
            from = firstSent.get().offset();
            to = lastSent.get().offset() + 1;
            range = ", offsets " + from + ".." + to;
          }
          producer.sendOffsetsToTransaction(
              Map.of(
                  new TopicPartition(topic.name(), 0),
                  new OffsetAndMetadata(
                      written,
                      "lodestone import of " + file.getFileName() + ", sha256 " + sha + range)),
              new ConsumerGroupMetadata(marker));
          producer.commitTransaction();
          return new Result(written, false, marker, sha, from, to);
        } catch (RuntimeException | IOException | ExecutionException | InterruptedException ex) {
          producer.abortTransaction();
          throw ex;
        }
      }
    } catch (ExecutionException e) {
      throw new IOException("the cluster refused: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("the cluster did not answer within " + TIMEOUT, e);
    }
  }

  /** The value schema of the file, checked against the topic's. */
  private static Schema check(Path file, TopicSpec<?> topic) throws InvalidLogException {
    Schema writer;
    String from;
    try (DataFileReader<GenericRecord> in =
        new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
      writer = in.getSchema();
      from = in.getMetaString(LoggedRecords.TOPIC_META);
    } catch (IOException e) {
      throw new InvalidLogException(
          file
              + " is not an Avro object container file written by lodestone export ("
              + e.getMessage()
              + ")",
          e);
    }
    if (writer.getType() != Schema.Type.RECORD
        || !LoggedRecords.NAME.equals(writer.getFullName())
        || writer.getField("value") == null) {
      throw new InvalidLogException(
          file
              + " holds "
              + writer.getFullName()
              + " records, not an exported log ("
              + LoggedRecords.NAME
              + ")",
          null);
    }
    Schema value = writer.getField("value").schema();
    if (!value.getFullName().equals(topic.valueSchema().getFullName())) {
      throw new InvalidLogException(
          file
              + " holds "
              + value.getFullName()
              + " values (exported from topic "
              + from
              + "); topic "
              + topic.name()
              + " takes "
              + topic.valueSchema().getFullName(),
          null);
    }
    SchemaCompatibility.SchemaPairCompatibility compatible =
        SchemaCompatibility.checkReaderWriterCompatibility(topic.valueSchema(), value);
    if (compatible.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      throw new InvalidLogException(
          file
              + "'s "
              + value.getName()
              + " schema cannot be read as today's: "
              + compatible.getDescription(),
          null);
    }
    return value;
  }

  private static DataFileReader<GenericRecord> reader(Path file, Schema reader, SpecificData data)
      throws IOException {
    SpecificDatumReader<GenericRecord> datum = new SpecificDatumReader<>(null, reader, data);
    return new DataFileReader<>(file.toFile(), datum);
  }

  private KafkaProducer<String, byte[]> producer(String transactionalId) {
    Properties p = cluster.clientProperties(transactionalId);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Duration.ofMinutes(15).toMillis());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, dev.lodestone.schemas.Topics.MAX_MESSAGE_BYTES);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
