package dev.lodestone.learner.internal;

import dev.lodestone.learner.LearnerConfig;
import dev.lodestone.schemas.RecordKeys;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.avro.TopicPartitionOffset;
import dev.lodestone.schemas.chunk.ChunkedBlob;
import dev.lodestone.schemas.chunk.Chunker;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.service.ServiceException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The learner's transactional producer: each publication is one transaction holding the POLICY
 * version's chunks (key {@code modelId/POLICY/i}), the MAGNET version's on a magnet reset ({@code
 * modelId/MAGNET/i}), the checkpoint's records, the dead letters and the consumed position of
 * {@code labeled}. Its transactional id is one per model, so a new learner fences an old one.
 */
public final class VersionPublisher implements AutoCloseable {

  /**
   * What one publication says of the versions.
   *
   * @param policyVersion the new POLICY version
   * @param magnetReset whether the magnet moved to it (a MAGNET version too)
   * @param magnetVersion the MAGNET version in force
   * @param step the learner step it was made at
   * @param algorithm the algorithm's id
   * @param consumedGroups labelled groups consumed so far
   * @param samplesBase the end offsets of samples when version 0 was published (summed)
   * @param deadLettersBase the end offsets of dead-letters when version 0 was published (summed)
   * @param samplesBaseOffsets the end offset of each partition of samples when version 0 was
   *     published
   */
  public record Versions(
      long policyVersion,
      boolean magnetReset,
      long magnetVersion,
      long step,
      String algorithm,
      long consumedGroups,
      long samplesBase,
      long deadLettersBase,
      List<Long> samplesBaseOffsets) {}

  private final LearnerConfig config;
  private final String name;
  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerializer<PolicyVersion> policyValues;
  private final AvroSerializer<DeadLetter> letterValues;

  /**
   * Creates the producer and initializes its transactions, fencing an older learner of the model.
   */
  public VersionPublisher(LearnerConfig config, String name, SchemaRegistryClient registry) {
    this.config = config;
    this.name = name;
    this.policyValues =
        TopicSerdes.valueSerializer(Topics.POLICY, registry, SchemaRegistration.AUTO_REGISTER);
    this.letterValues =
        TopicSerdes.valueSerializer(
            Topics.DEAD_LETTERS, registry, SchemaRegistration.AUTO_REGISTER);
    Properties p = config.cluster().clientProperties(name + "-producer");
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    try {
      producer.initTransactions();
    } catch (RuntimeException e) {
      producer.close();
      throw e;
    }
  }

  /**
   * Publishes in one transaction.
   *
   * @param v the versions
   * @param weights the weights of the new version (and of the magnet on a reset)
   * @param checkpoint the checkpoint's records
   * @param letters dead letters to send with it
   * @param labeled the partition of {@code labeled} consumed
   * @param through the position of {@code labeled} after the last record of the last step
   * @param group the consumer group whose offset is committed with the transaction
   * @param now the time written into the records
   * @return the SHA-256 of {@code weights}, as the version's records carry it
   * @throws ServiceException when the transaction fails (it is aborted)
   */
  public String publish(
      Versions v,
      byte[] weights,
      List<ProducerRecord<String, byte[]>> checkpoint,
      List<DeadLetter> letters,
      TopicPartition labeled,
      long through,
      ConsumerGroupMetadata group,
      Instant now) {
    List<TopicPartitionOffset> offsets = offsets(labeled, through);
    ChunkedBlob blob = Chunker.split(weights, Chunker.DEFAULT_MAX_CHUNK_BYTES);
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    records.addAll(version(ModelRole.POLICY, v.policyVersion(), v, blob, offsets, now));
    if (v.magnetReset()) {
      records.addAll(version(ModelRole.MAGNET, v.magnetVersion(), v, blob, offsets, now));
    }
    records.addAll(checkpoint);
    for (DeadLetter letter : letters) {
      records.add(
          new ProducerRecord<>(
              Topics.DEAD_LETTERS.name(), letter.getSourceTopic(), letterValues.encode(letter)));
    }
    try {
      producer.beginTransaction();
      for (ProducerRecord<String, byte[]> r : records) {
        producer.send(r);
      }
      producer.sendOffsetsToTransaction(Map.of(labeled, new OffsetAndMetadata(through)), group);
      producer.commitTransaction();
    } catch (KafkaException e) {
      try {
        producer.abortTransaction();
      } catch (KafkaException abort) {
        e.addSuppressed(abort);
      }
      throw new ServiceException(name + ": publishing version " + v.policyVersion() + " failed", e);
    }
    return blob.sha256();
  }

  /** The input position a version or checkpoint was trained through. */
  public static List<TopicPartitionOffset> offsets(TopicPartition labeled, long through) {
    return List.of(new TopicPartitionOffset(labeled.topic(), labeled.partition(), through));
  }

  private List<ProducerRecord<String, byte[]>> version(
      ModelRole role,
      long version,
      Versions v,
      ChunkedBlob weights,
      List<TopicPartitionOffset> offsets,
      Instant now) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (PolicyVersion c :
        Chunker.policyVersionChunks(
            PolicyVersion.newBuilder()
                .setModelId(config.modelId())
                .setRole(role)
                .setVersion(version)
                .setMagnetVersion(v.magnetVersion())
                .setStep(v.step())
                .setAlgorithm(v.algorithm())
                .setConsumedOffsets(offsets)
                .setConsumedGroups(v.consumedGroups())
                .setGroupsPerVersion(config.groupsPerVersion())
                .setSamplesBase(v.samplesBase())
                .setDeadLettersBase(v.deadLettersBase())
                .setSamplesBaseOffsets(v.samplesBaseOffsets())
                .setTime(now),
            weights)) {
      records.add(
          new ProducerRecord<>(
              Topics.POLICY.name(),
              RecordKeys.policy(config.modelId(), role, c.getChunkIndex()),
              policyValues.encode(c)));
    }
    return records;
  }

  @Override
  public void close() {
    producer.close();
  }
}
