package dev.lodestone.service.feed;

import dev.lodestone.schemas.RecordKeys;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.chunk.AssembledBlob;
import dev.lodestone.schemas.chunk.ChunkAssembler;
import dev.lodestone.schemas.chunk.ChunkAssemblyException;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.registry.SchemaRegistryException;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.DeadLetterReason;
import dev.lodestone.schemas.serde.DeadLetters;
import dev.lodestone.schemas.serde.RecordDecodingException;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the {@code policy} topic for one model: reads it from the beginning (it is compacted)
 * with a {@code read_committed} consumer on assigned partitions (no consumer group), assembles the
 * chunks of each version with a {@link ChunkAssembler} per role, verifies their SHA-256, and keeps
 * the newest complete POLICY version (weights and header) and the newest complete MAGNET version
 * (header only).
 *
 * <h2>Delivery</h2>
 *
 * {@link #poll(Duration)} returns the newest complete POLICY version that is newer than the last
 * one it returned. Versions are ordered by their version number. When several versions complete
 * before the caller polls again (a late start, a slow caller), only the newest is returned: the
 * others are counted as skipped. {@link #poll} keeps reading while the consumer is behind the end
 * of the topic, so a feed that starts late skips straight to the newest version.
 *
 * <h2>Bad records</h2>
 *
 * A record that cannot be decoded, or a chunk the assembler rejects (inconsistent with the other
 * chunks of its version, a conflicting duplicate, a size or SHA-256 mismatch, weights stored
 * elsewhere), goes to the dead letters ({@link DeadLetterReason#UNDECODABLE} or {@link
 * DeadLetterReason#INVALID_RECORD} with the assembler's reason in the text) and its version is
 * dropped whole: a version is delivered only when every chunk arrived and the blob's SHA-256
 * matches, never half-used. Chunks of versions older than the newest complete one (left behind by
 * compaction) are ignored. Records of other models (told by their key {@code modelId/ROLE/index} or
 * their decoded model id) are ignored without dead letters. When several processes follow the same
 * topic, each reports the bad records it read, under its own component.
 *
 * <p>A schema registry that cannot be reached is not the record's fault: the feed seeks back to the
 * record and reads it again at the next poll.
 *
 * <p>Not thread-safe: one thread polls; {@link #wakeup()} may be called from any thread to abort a
 * blocking poll (which then throws {@link org.apache.kafka.common.errors.WakeupException}).
 */
public final class PolicyFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyFeed.class);

  /** Where rejected records go. */
  @FunctionalInterface
  public interface DeadLetterSink {
    /** Sends one dead letter (asynchronously is fine). */
    void send(DeadLetter letter);
  }

  private final Consumer<String, byte[]> consumer;
  private final AvroDeserializer<PolicyVersion> values;
  private final DeadLetterSink deadLetters;
  private final AutoCloseable resources;
  private final String modelId;
  private final String component;
  private final boolean keepFirstPolicy;
  private final Clock clock;
  private final Map<ModelRole, RoleAssembly> roles = new EnumMap<>(ModelRole.class);
  private List<TopicPartition> partitions;

  private PolicySnapshot newestPolicy;
  private PolicySnapshot firstPolicy;
  private PolicyHeader newestMagnet;
  private long deliveredVersion = Long.MIN_VALUE;
  private boolean closed;

  private long recordsRead;
  private long policyAssembled;
  private long magnetAssembled;
  private long delivered;
  private long skipped;
  private long incompleteDropped;
  private long rejected;
  private long deadLettered;
  private long stale;
  private long otherModel;

  /**
   * A feed over the given clients (for tests and for callers that manage their own clients).
   *
   * @param consumer a consumer configured with {@code isolation.level=read_committed}, string keys
   *     and byte-array values, not subscribed; the feed assigns it the policy topic's partitions
   * @param registry where the chunks' writer schemas are looked up
   * @param deadLetters where rejected records go
   * @param modelId the model to follow
   * @param component the component named in dead letters
   * @param keepFirstPolicy whether to keep the first complete POLICY version
   * @param clock the time of dead letters
   * @param resources closed with the feed (after the consumer), e.g. a dead-letter producer; may be
   *     null
   */
  public PolicyFeed(
      Consumer<String, byte[]> consumer,
      SchemaRegistryClient registry,
      DeadLetterSink deadLetters,
      String modelId,
      String component,
      boolean keepFirstPolicy,
      Clock clock,
      AutoCloseable resources) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.values = TopicSerdes.valueDeserializer(Topics.POLICY, registry);
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.modelId = Objects.requireNonNull(modelId, "modelId");
    this.component = Objects.requireNonNull(component, "component");
    this.keepFirstPolicy = keepFirstPolicy;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.resources = resources;
  }

  /**
   * A feed with its own consumer and (created on the first dead letter) its own idempotent
   * dead-letter producer, from the configuration.
   */
  public static PolicyFeed open(PolicyFeedConfig config) {
    ClusterConfig cluster = config.cluster();
    String clientId = config.component() + "-" + config.instanceId() + "-policy-feed";
    Properties props = cluster.clientProperties(clientId);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES);
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * Topics.MAX_MESSAGE_BYTES);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    SchemaRegistryClient registry = cluster.registryClient();
    LazyDeadLetterProducer sink = new LazyDeadLetterProducer(cluster, clientId, registry);
    return new PolicyFeed(
        consumer,
        registry,
        sink,
        config.modelId(),
        config.component(),
        config.keepFirstPolicy(),
        Clock.systemUTC(),
        sink);
  }

  /**
   * Assigns the policy topic's partitions and seeks to their beginning, if not done yet. Called by
   * the first {@link #poll}; call it first to fail early when the topic is missing.
   *
   * @throws PolicyFeedException when the topic does not exist
   * @throws org.apache.kafka.common.errors.TimeoutException when the cluster does not answer within
   *     {@code timeout}
   */
  public void assign(Duration timeout) {
    checkOpen();
    if (partitions != null) {
      return;
    }
    List<PartitionInfo> infos = consumer.partitionsFor(Topics.POLICY.name(), timeout);
    if (infos == null || infos.isEmpty()) {
      throw new PolicyFeedException(
          "topic "
              + Topics.POLICY.name()
              + " does not exist; create the catalogue's topics first (lodestone up does)");
    }
    partitions =
        infos.stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /**
   * Reads what is available, waiting up to {@code timeout}, and returns the newest complete POLICY
   * version newer than the last one returned, if any. Returns as soon as such a version is complete
   * and the consumer has caught up with the end of the topic, else when the timeout passes.
   *
   * @throws PolicyFeedException when the topic does not exist or the registry refuses for good
   * @throws org.apache.kafka.common.errors.WakeupException when {@link #wakeup()} was called
   */
  public Optional<PolicySnapshot> poll(Duration timeout) {
    checkOpen();
    long deadline = System.nanoTime() + timeout.toNanos();
    assign(timeout);
    while (true) {
      long left = Math.max(0, deadline - System.nanoTime());
      ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofNanos(left));
      process(records);
      boolean behind = behind();
      boolean timeUp = deadline - System.nanoTime() <= 0;
      if ((!behind && hasUndelivered()) || timeUp) {
        return deliver();
      }
    }
  }

  private boolean hasUndelivered() {
    return newestPolicy != null && newestPolicy.version() > deliveredVersion;
  }

  private Optional<PolicySnapshot> deliver() {
    if (!hasUndelivered()) {
      return Optional.empty();
    }
    deliveredVersion = newestPolicy.version();
    delivered++;
    return Optional.of(newestPolicy);
  }

  private boolean behind() {
    for (TopicPartition tp : partitions) {
      OptionalLong lag = consumer.currentLag(tp);
      if (lag.isPresent() && lag.getAsLong() > 0) {
        return true;
      }
    }
    return false;
  }

  private void process(ConsumerRecords<String, byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      for (ConsumerRecord<String, byte[]> record : records.records(tp)) {
        try {
          handle(record);
        } catch (SchemaRegistryException e) {
          if (!e.isRetriable()) {
            throw new PolicyFeedException(
                "the schema registry refused to resolve the schema of "
                    + tp
                    + " offset "
                    + record.offset()
                    + ": "
                    + e.getMessage(),
                e);
          }
          LOG.warn(
              "schema registry unavailable while reading {} offset {}; reading it again: {}",
              tp,
              record.offset(),
              e.getMessage());
          consumer.seek(tp, record.offset());
          break; // the rest of this partition is read again after the seek
        }
      }
    }
  }

  private void handle(ConsumerRecord<String, byte[]> record) {
    recordsRead++;
    RecordKeys.PolicyKey key = RecordKeys.parsePolicy(record.key()).orElse(null);
    if (key != null && !key.modelId().equals(modelId)) {
      otherModel++;
      return;
    }
    PolicyVersion chunk;
    try {
      chunk = values.decode(record);
    } catch (RecordDecodingException e) {
      deadLetter(DeadLetters.undecodable(record, e, component, clock.instant()));
      if (key != null && key.role() != null) {
        RoleAssembly assembly = roles.get(key.role());
        if (assembly != null) {
          assembly.rejectInProgress("chunk at offset " + record.offset() + " is undecodable");
        }
      }
      return;
    }
    if (!chunk.getModelId().equals(modelId)) {
      otherModel++;
      return;
    }
    roles.computeIfAbsent(chunk.getRole(), RoleAssembly::new).accept(record, chunk);
  }

  private void deadLetter(DeadLetter letter) {
    deadLettered++;
    LOG.warn(
        "dead letter from {} partition {} offset {}: {}",
        letter.getSourceTopic(),
        letter.getPartition(),
        letter.getOffset(),
        letter.getReason());
    deadLetters.send(letter);
  }

  private void completed(AssembledBlob<PolicyVersion> blob, ConsumerRecord<String, byte[]> last) {
    PolicyHeader header =
        PolicyHeader.of(blob.header(), blob.sha256(), last.partition(), last.offset());
    if (header.role() == ModelRole.MAGNET) {
      magnetAssembled++;
      if (newestMagnet == null || header.version() > newestMagnet.version()) {
        newestMagnet = header;
      }
      LOG.debug("assembled {}", header.describe());
      return;
    }
    policyAssembled++;
    PolicySnapshot snapshot = new PolicySnapshot(header, blob.bytes());
    if (keepFirstPolicy && firstPolicy == null) {
      firstPolicy = snapshot;
    }
    if (newestPolicy == null || header.version() > newestPolicy.version()) {
      if (hasUndelivered()) {
        skipped++;
      }
      newestPolicy = snapshot;
    }
    LOG.debug("assembled {}", header.describe());
  }

  /** The newest complete POLICY version read so far, delivered or not. */
  public Optional<PolicySnapshot> latestPolicy() {
    return Optional.ofNullable(newestPolicy);
  }

  /**
   * The first complete POLICY version read (in log order), when the feed was made to keep it; with
   * an uncompacted topic this is version 0.
   */
  public Optional<PolicySnapshot> firstPolicy() {
    return Optional.ofNullable(firstPolicy);
  }

  /** The header of the newest complete MAGNET version read so far. */
  public Optional<PolicyHeader> latestMagnet() {
    return Optional.ofNullable(newestMagnet);
  }

  /** The number of the newest complete MAGNET version read so far. */
  public OptionalLong latestMagnetVersion() {
    return newestMagnet == null ? OptionalLong.empty() : OptionalLong.of(newestMagnet.version());
  }

  /** Counters since the feed was opened. */
  public FeedStats stats() {
    return new FeedStats(
        recordsRead,
        policyAssembled,
        magnetAssembled,
        delivered,
        skipped,
        incompleteDropped,
        rejected,
        deadLettered,
        stale,
        otherModel);
  }

  /** Aborts a blocking {@link #poll} from another thread. */
  public void wakeup() {
    consumer.wakeup();
  }

  /** Closes the consumer and the dead-letter producer. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      consumer.close();
    } finally {
      if (resources != null) {
        try {
          resources.close();
        } catch (Exception e) {
          LOG.warn("closing the policy feed's resources failed: {}", e.toString());
        }
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the policy feed is closed");
    }
  }

  /** The assembly state of one role of the model. */
  private final class RoleAssembly {
    private final ModelRole role;
    private ChunkAssembler<PolicyVersion> assembler;
    private long assembling;
    private long newestComplete = Long.MIN_VALUE;
    private long rejectedVersion = Long.MIN_VALUE;

    RoleAssembly(ModelRole role) {
      this.role = role;
    }

    void accept(ConsumerRecord<String, byte[]> record, PolicyVersion chunk) {
      long v = chunk.getVersion();
      if (v <= newestComplete || v == rejectedVersion) {
        stale++;
        return;
      }
      if (assembler != null && v < assembling) {
        stale++;
        return;
      }
      if (assembler != null && v > assembling) {
        incompleteDropped++;
        LOG.info(
            "model {} {} version {} was superseded by version {} before it was complete ({} of {}"
                + " chunks)",
            modelId,
            role,
            assembling,
            v,
            assembler.received(),
            assembler.expected());
        assembler = null;
      }
      if (assembler == null) {
        assembler = ChunkAssembler.forPolicyVersion();
        assembling = v;
      }
      try {
        if (assembler.add(chunk)) {
          AssembledBlob<PolicyVersion> blob = assembler.assemble();
          assembler = null;
          newestComplete = v;
          completed(blob, record);
        }
      } catch (ChunkAssemblyException e) {
        deadLetter(
            DeadLetters.of(
                record,
                DeadLetterReason.INVALID_RECORD,
                "policy chunk rejected, model "
                    + modelId
                    + " "
                    + role
                    + " version "
                    + v
                    + " dropped: "
                    + e.getMessage(),
                component,
                clock.instant()));
        reject(v);
      }
    }

    void rejectInProgress(String why) {
      if (assembler != null) {
        LOG.warn("model {} {} version {} dropped: {}", modelId, role, assembling, why);
        reject(assembling);
      }
    }

    private void reject(long version) {
      rejected++;
      rejectedVersion = version;
      assembler = null;
    }
  }

  /** An idempotent dead-letter producer, created on the first dead letter. */
  private static final class LazyDeadLetterProducer implements DeadLetterSink, AutoCloseable {
    private final ClusterConfig cluster;
    private final String clientId;
    private final SchemaRegistryClient registry;
    private Producer<String, DeadLetter> producer;

    LazyDeadLetterProducer(ClusterConfig cluster, String clientId, SchemaRegistryClient registry) {
      this.cluster = cluster;
      this.clientId = clientId + "-dead-letters";
      this.registry = registry;
    }

    @Override
    public synchronized void send(DeadLetter letter) {
      if (producer == null) {
        Properties props = cluster.clientProperties(clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
        producer =
            new KafkaProducer<>(
                props,
                new StringSerializer(),
                TopicSerdes.valueSerializer(
                    Topics.DEAD_LETTERS, registry, SchemaRegistration.AUTO_REGISTER));
      }
      producer.send(
          DeadLetters.toProducerRecord(letter),
          (metadata, error) -> {
            if (error != null) {
              LOG.error(
                  "could not send a dead letter for {} offset {}: {}",
                  letter.getSourceTopic(),
                  letter.getOffset(),
                  error.toString());
            }
          });
    }

    @Override
    public synchronized void close() {
      if (producer != null) {
        producer.close(Duration.ofSeconds(10));
      }
    }
  }
}
