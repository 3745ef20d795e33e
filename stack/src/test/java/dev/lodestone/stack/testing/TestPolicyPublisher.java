package dev.lodestone.stack.testing;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.chunk.Chunker;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays the learner's publishing side in tests of its followers (samplers, evaluator): writes
 * policy and magnet versions to {@code policy} in chunks, each call one transaction, keyed as the
 * learner keys them ({@code modelId/ROLE/chunkIndex}).
 */
public final class TestPolicyPublisher implements AutoCloseable {
  /** Chunk size of the published weights: small, so a model spans several chunks. */
  public static final int CHUNK_BYTES = 16 * 1024;

  private final KafkaProducer<String, PolicyVersion> producer;

  /** A transactional producer on the broker, with the given transactional id. */
  public TestPolicyPublisher(TestBroker broker, String transactionalId) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
    this.producer =
        new KafkaProducer<>(
            props,
            new StringSerializer(),
            TopicSerdes.valueSerializer(
                Topics.POLICY, broker.registry(), SchemaRegistration.AUTO_REGISTER));
    producer.initTransactions();
  }

  /**
   * One version as the learner publishes it (step = 10 x version); {@code samplesBaseOffsets}:
   * where each partition of {@code samples} stood at the model's version 0 (empty: not recorded).
   */
  public record Version(
      ModelRole role,
      long version,
      long magnetVersion,
      long consumedGroups,
      int groupsPerVersion,
      byte[] weights,
      List<Long> samplesBaseOffsets) {

    /** A version that does not record where the model's samples begin. */
    public Version(
        ModelRole role,
        long version,
        long magnetVersion,
        long consumedGroups,
        int groupsPerVersion,
        byte[] weights) {
      this(role, version, magnetVersion, consumedGroups, groupsPerVersion, weights, List.of());
    }

    /** The version's chunks of at most {@link #CHUNK_BYTES}. */
    public List<PolicyVersion> chunks(String modelId) {
      return Chunker.policyVersionChunks(
          PolicyVersion.newBuilder()
              .setModelId(modelId)
              .setRole(role)
              .setVersion(version)
              .setMagnetVersion(magnetVersion)
              .setStep(version * 10)
              .setAlgorithm(version == 0 ? "warmup" : "mpo")
              .setConsumedOffsets(List.of())
              .setConsumedGroups(consumedGroups)
              .setGroupsPerVersion(groupsPerVersion)
              .setSamplesBaseOffsets(samplesBaseOffsets)
              .setSamplesBase(samplesBaseOffsets.stream().mapToLong(Long::longValue).sum())
              .setTime(Instant.now()),
          Chunker.split(weights, CHUNK_BYTES));
    }
  }

  /** Publishes the versions in one transaction. */
  public void publish(String modelId, Version... versions) {
    producer.beginTransaction();
    for (Version v : versions) {
      send(modelId, v.chunks(modelId));
    }
    producer.commitTransaction();
  }

  /** Publishes the given chunks (possibly tampered with) in one transaction. */
  public void publishChunks(String modelId, List<PolicyVersion> chunks) {
    producer.beginTransaction();
    send(modelId, chunks);
    producer.commitTransaction();
  }

  private void send(String modelId, List<PolicyVersion> chunks) {
    for (PolicyVersion c : chunks) {
      producer.send(
          new ProducerRecord<>(
              Topics.POLICY.name(), modelId + "/" + c.getRole() + "/" + c.getChunkIndex(), c));
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
