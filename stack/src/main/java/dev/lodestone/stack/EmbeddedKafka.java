package dev.lodestone.stack;

import dev.lodestone.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One in-process KRaft node acting as broker and controller, with the settings a single node needs
 * (replication factor 1 for the internal topics, no initial rebalance delay, a small log cleaner
 * buffer, records as large as the catalogue allows).
 */
final class EmbeddedKafka {
  /**
   * The transaction protocol the stack's brokers run: version 1. Kafka 4.1's version 2 (KIP-890)
   * refuses a non-zero sequence from a transactional producer whose state the partition has lost
   * (KAFKA-18202) with a retriable OutOfOrderSequence error, and a producer that meets it around a
   * broker's restart resends the same batch for ever; the chaos benchmark's label join stalled so
   * (KAFKA-19880 makes it UnknownProducerId). Version 1 accepts such a batch and keeps exactly-once
   * transactions.
   */
  static final String TRANSACTION_VERSION = "transaction.version=1";

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

  /** The file Kafka writes into a formatted log directory. */
  static final String META_PROPERTIES = "meta.properties";

  private final Properties properties;
  private final Path logDir;
  private KafkaRaftServer server;

  /**
   * A node listening for clients on {@code listenHost:kafkaPort} (advertised to them as {@code
   * advertisedHost}) and for its controller on {@code controllerHost:controllerPort}, keeping its
   * log in {@code logDir}; {@code extra} settings override the defaults. Nothing starts yet.
   */
  EmbeddedKafka(
      String listenHost,
      String advertisedHost,
      String controllerHost,
      int kafkaPort,
      int controllerPort,
      Path logDir,
      Map<String, String> extra) {
    this.logDir = logDir;
    this.properties =
        brokerProperties(
            listenHost, advertisedHost, controllerHost, kafkaPort, controllerPort, logDir, extra);
  }

  /** A node with the settings of a file {@link #writeProperties(Path)} wrote. */
  EmbeddedKafka(Properties properties) {
    this.properties = new Properties();
    this.properties.putAll(properties);
    this.logDir = Path.of(properties.getProperty("log.dirs"));
  }

  /** Writes the settings this node runs with, for the storage tool or a node of its own process. */
  void writeProperties(Path file) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      properties.store(out, "Lodestone local stack: broker settings");
    }
  }

  /** The broker settings of a single node; {@code extra} wins over the defaults. */
  static Properties brokerProperties(
      String listenHost,
      String advertisedHost,
      String controllerHost,
      int kafkaPort,
      int controllerPort,
      Path logDir,
      Map<String, String> extra) {
    String listen = LocalStack.urlHost(listenHost);
    String controller = LocalStack.urlHost(controllerHost) + ":" + controllerPort;
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + controller);
    p.put("listeners", "PLAINTEXT://" + listen + ":" + kafkaPort + ",CONTROLLER://" + controller);
    p.put(
        "advertised.listeners",
        "PLAINTEXT://" + LocalStack.urlHost(advertisedHost) + ":" + kafkaPort);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    // One node: internal topics cannot have more than one replica (else consumer groups, Streams
    // and transactions wait forever), and need fewer partitions than a cluster would.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "8");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "8");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    // A consumer group of one member need not wait 3 s for more members to join.
    p.put("group.initial.rebalance.delay.ms", "0");
    // The default dedupe buffer takes 128 MiB of heap; compacted topics here are small.
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
    // Weight chunks: accept and replicate records as large as the catalogue's topics allow.
    p.put("message.max.bytes", Integer.toString(Topics.MAX_MESSAGE_BYTES));
    p.put("replica.fetch.max.bytes", Integer.toString(Topics.MAX_MESSAGE_BYTES));
    p.putAll(extra);
    Properties props = new Properties();
    props.putAll(p);
    return props;
  }

  /** The settings this node runs with. */
  Properties properties() {
    Properties copy = new Properties();
    copy.putAll(properties);
    return copy;
  }

  /** Whether {@code logDir} already holds a formatted log (a restart with a kept data dir). */
  static boolean isFormatted(Path logDir) {
    return Files.exists(logDir.resolve(META_PROPERTIES));
  }

  /**
   * Formats the log directory with a fresh cluster id, unless it is formatted already.
   *
   * @param configFile where to write the broker settings for the storage tool
   * @return whether it formatted (false: existing storage reused)
   */
  boolean formatIfNeeded(Path configFile) throws IOException {
    return formatIfNeeded(configFile, List.of());
  }

  /**
   * Formats the log directory as {@link #formatIfNeeded(Path)} does, with {@code extraArguments}
   * for the storage tool (the SCRAM users of a secured stack).
   */
  boolean formatIfNeeded(Path configFile, List<String> extraArguments) throws IOException {
    return formatIfNeeded(configFile, Uuid.randomUuid().toString(), extraArguments);
  }

  /**
   * Formats the log directory with {@code clusterId} (every node of one cluster has the same),
   * unless it is formatted already.
   */
  boolean formatIfNeeded(Path configFile, String clusterId, List<String> extraArguments)
      throws IOException {
    if (isFormatted(logDir)) {
      log.debug("Reusing formatted storage in {}", logDir);
      return false;
    }
    writeProperties(configFile);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "format",
                  "-t",
                  clusterId,
                  "-c",
                  configFile.toString(),
                  "--feature",
                  TRANSACTION_VERSION));
      args.addAll(extraArguments);
      rc = StorageTool.execute(args.toArray(new String[0]), out);
    } catch (RuntimeException e) {
      throw new LocalStackException(
          "cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
    }
    String output = captured.toString(StandardCharsets.UTF_8).trim();
    if (rc != 0) {
      throw new LocalStackException(
          "cannot format Kafka storage in " + logDir + " (exit " + rc + "): " + output);
    }
    log.debug("Formatted Kafka storage in {} with cluster id {}: {}", logDir, clusterId, output);
    return true;
  }

  /**
   * Starts the node and returns once its listeners accept requests, or fails after {@code timeout}
   * (having shut down what had started).
   */
  void start(Duration timeout) {
    KafkaConfig config = new KafkaConfig(properties, false);
    server = new KafkaRaftServer(config, Time.SYSTEM);
    ExecutorService starter =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "lodestone-kafka-startup");
              t.setDaemon(true);
              return t;
            });
    try {
      Future<?> started = starter.submit(server::startup);
      started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      stop();
      throw new LocalStackException("the Kafka broker did not start within " + timeout, e);
    } catch (ExecutionException e) {
      stop();
      Throwable cause = e.getCause();
      throw new LocalStackException(
          "the Kafka broker failed to start: " + rootMessage(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      throw new LocalStackException("interrupted while starting the Kafka broker", e);
    } finally {
      starter.shutdownNow();
    }
  }

  /** Whether the node runs. */
  boolean running() {
    return server != null;
  }

  /** The cluster id a formatted log directory holds, if it is formatted. */
  static java.util.Optional<String> clusterId(Path logDir) throws IOException {
    if (!isFormatted(logDir)) {
      return java.util.Optional.empty();
    }
    Properties meta = new Properties();
    try (var in = Files.newInputStream(logDir.resolve(META_PROPERTIES))) {
      meta.load(in);
    }
    return java.util.Optional.ofNullable(meta.getProperty("cluster.id"));
  }

  /** Waits until the node has shut down (by {@link #stop()} or by itself). */
  void awaitShutdown() {
    KafkaRaftServer s = server;
    if (s != null) {
      s.awaitShutdown();
    }
  }

  /** Shuts the node down and waits until it has stopped. Does nothing if it never started. */
  void stop() {
    KafkaRaftServer s = server;
    server = null;
    if (s != null) {
      s.shutdown();
      s.awaitShutdown();
    }
  }

  /** The innermost message of a failure chain, for one-line errors. */
  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root == t || message == null
        ? String.valueOf(t.getMessage())
        : t.getMessage() + " (" + message + ")";
  }
}
