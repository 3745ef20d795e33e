package dev.lodestone.learner.internal;

import dev.lodestone.learner.LearnerConfig;
import dev.lodestone.schemas.RecordKeys;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.LearnerCheckpoint;
import dev.lodestone.schemas.avro.LearnerState;
import dev.lodestone.schemas.chunk.AssembledBlob;
import dev.lodestone.schemas.chunk.ChunkAssembler;
import dev.lodestone.schemas.chunk.ChunkAssemblyException;
import dev.lodestone.schemas.chunk.ChunkedBlob;
import dev.lodestone.schemas.chunk.Chunker;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.RecordDecodingException;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.TopicPartitions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's checkpoints on the compacted {@code learner-state} topic: the records of a new one (its
 * state blob split into chunks, key {@code modelId/i}), and the newest complete one read back.
 */
public final class CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final LearnerConfig config;
  private final String name;
  private final AvroDeserializer<LearnerCheckpoint> values;
  private final AvroSerializer<LearnerCheckpoint> serializer;
  private volatile KafkaConsumer<?, ?> reading;

  /**
   * @param config the learner's configuration (cluster, model id)
   * @param name the service's name, for logs, errors and client ids
   * @param registry the schema registry
   */
  public CheckpointStore(LearnerConfig config, String name, SchemaRegistryClient registry) {
    this.config = config;
    this.name = name;
    this.values = TopicSerdes.valueDeserializer(Topics.LEARNER_STATE, registry);
    this.serializer =
        TopicSerdes.valueSerializer(
            Topics.LEARNER_STATE, registry, SchemaRegistration.AUTO_REGISTER);
  }

  /**
   * The records of one checkpoint: {@code state} encoded and split into chunks, each with {@code
   * header}'s fields.
   */
  public List<ProducerRecord<String, byte[]>> records(
      LearnerCheckpoint.Builder header, LearnerState state) {
    ChunkedBlob blob = Chunker.split(Checkpoint.encode(state), Chunker.DEFAULT_MAX_CHUNK_BYTES);
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (LearnerCheckpoint c : Chunker.learnerCheckpointChunks(header, blob)) {
      records.add(
          new ProducerRecord<>(
              Topics.LEARNER_STATE.name(),
              RecordKeys.checkpoint(config.modelId(), c.getChunkIndex()),
              serializer.encode(c)));
    }
    return records;
  }

  /**
   * The newest complete checkpoint of the model, read {@code read_committed} to the end of the
   * topic; incomplete or corrupt ones (left behind by compaction) are skipped.
   *
   * @param stopRequested polled between reads: a stop ends the read with an empty result
   * @param timeLeft what is left of the start's timeout, at least 1 ms (1 ms: it has passed)
   * @throws ServiceException when the topic cannot be read to its end in time, or the newest
   *     checkpoint is not a learner state
   */
  public Optional<Checkpoint> newest(BooleanSupplier stopRequested, Supplier<Duration> timeLeft) {
    Properties p = config.cluster().clientProperties(name + "-state");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    AssembledBlob<LearnerCheckpoint> newest = null;
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      reading = c;
      if (stopRequested.getAsBoolean()) {
        return Optional.empty();
      }
      List<TopicPartition> parts =
          TopicPartitions.of(name, c, Topics.LEARNER_STATE.name(), timeLeft.get());
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, timeLeft.get());
      ChunkAssembler<LearnerCheckpoint> assembler = ChunkAssembler.forLearnerCheckpoint();
      while (parts.stream().anyMatch(tp -> c.position(tp, timeLeft.get()) < end.get(tp))) {
        if (stopRequested.getAsBoolean()) {
          return Optional.empty();
        }
        if (timeLeft.get().compareTo(Duration.ofMillis(1)) <= 0) {
          throw new ServiceException(
              name + ": could not read learner-state to its end " + end + " in time");
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
          if (!RecordKeys.isCheckpointOf(r.key(), config.modelId())) {
            continue;
          }
          LearnerCheckpoint chunk;
          try {
            chunk = values.decode(r);
          } catch (RecordDecodingException e) {
            LOG.warn("{}: skipping an undecodable checkpoint chunk: {}", name, e.getMessage());
            continue;
          }
          if (!chunk.getModelId().equals(config.modelId())) {
            continue;
          }
          try {
            if (!assembler.accepts(chunk)) {
              assembler = ChunkAssembler.forLearnerCheckpoint();
            }
            if (assembler.add(chunk)) {
              newest = assembler.assemble();
              assembler = ChunkAssembler.forLearnerCheckpoint();
            }
          } catch (ChunkAssemblyException e) {
            LOG.warn("{}: skipping a checkpoint chunk: {}", name, e.getMessage());
            assembler = ChunkAssembler.forLearnerCheckpoint();
          }
        }
      }
    } finally {
      reading = null;
    }
    if (newest == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Checkpoint(newest.header(), Checkpoint.decode(newest.bytes())));
    } catch (IllegalArgumentException e) {
      throw new ServiceException(name + ": " + e.getMessage(), e);
    }
  }

  /** Ends a read in progress (from another thread). */
  public void wakeup() {
    KafkaConsumer<?, ?> c = reading;
    if (c != null) {
      c.wakeup();
    }
  }
}
