package dev.lodestone.stack;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * How to run the local stack. Immutable; every field is checked here and a bad value is named in
 * the error.
 *
 * @param host the address all listeners bind to and advertise, e.g. {@code 127.0.0.1}
 * @param kafkaPort the broker's client port (the bootstrap address); 0 picks a free port
 * @param controllerPort the KRaft controller port; 0 picks a free port
 * @param registryPort the schema registry's HTTP port; 0 picks a free port
 * @param dataDir where the broker's log and the registry's schemas live, kept across restarts;
 *     empty for a temporary directory deleted on {@link LocalStack#close()}
 * @param brokerProperties extra broker settings, applied over the stack's single-node defaults (the
 *     listeners, node and directory settings are the stack's own and cannot be given here)
 * @param secure TLS, SCRAM users and ACLs for the broker, HTTPS and basic authentication for the
 *     registry ({@link dev.lodestone.stack.security.StackSecurity}); false for plaintext
 * @param brokers the broker nodes, 1 or 3. With 3, every node is a broker and a KRaft controller in
 *     this process, on ports of its own (the first on {@code kafkaPort} and {@code controllerPort},
 *     the others on free ports), and topics are replicated 3 times with {@code min.insync.replicas}
 *     2: one node may be down and nothing stops
 */
public record LocalStackConfig(
    String host,
    int kafkaPort,
    int controllerPort,
    int registryPort,
    Optional<Path> dataDir,
    Map<String, String> brokerProperties,
    boolean secure,
    int brokers) {

  /** The usual local address. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** Kafka's customary client port. */
  public static final int DEFAULT_KAFKA_PORT = 9092;

  /** The schema registry's customary port. */
  public static final int DEFAULT_REGISTRY_PORT = 8081;

  /** Broker settings the stack derives itself (listeners, identity, directories). */
  static final Set<String> MANAGED_BROKER_PROPERTIES =
      Set.of(
          "process.roles",
          "node.id",
          "broker.id",
          "listeners",
          "advertised.listeners",
          "listener.security.protocol.map",
          "controller.listener.names",
          "controller.quorum.voters",
          "controller.quorum.bootstrap.servers",
          "inter.broker.listener.name",
          "log.dir",
          "log.dirs",
          "metadata.log.dir");

  public LocalStackConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(brokerProperties, "brokerProperties");
    if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("host must be a host name or address, got '" + host + "'");
    }
    if (brokers != 1 && brokers != 3) {
      throw new IllegalArgumentException("brokers must be 1 or 3, got " + brokers);
    }
    if (brokers > 1 && secure) {
      throw new IllegalArgumentException(
          "a secured stack has one broker; 3 brokers run without TLS and ACLs");
    }
    checkPort("kafkaPort", kafkaPort);
    checkPort("controllerPort", controllerPort);
    checkPort("registryPort", registryPort);
    checkDistinct("kafkaPort", kafkaPort, "controllerPort", controllerPort);
    checkDistinct("kafkaPort", kafkaPort, "registryPort", registryPort);
    checkDistinct("controllerPort", controllerPort, "registryPort", registryPort);
    dataDir = dataDir.map(d -> d.toAbsolutePath().normalize());
    var props = new TreeMap<String, String>();
    for (var e : brokerProperties.entrySet()) {
      String key = e.getKey();
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException("brokerProperties has a blank key");
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("brokerProperties '" + key + "' has no value");
      }
      if (MANAGED_BROKER_PROPERTIES.contains(key)) {
        throw new IllegalArgumentException(
            "brokerProperties '"
                + key
                + "' is set by the local stack itself (from host, ports and dataDir)"
                + " and cannot be overridden, got '"
                + e.getValue()
                + "'");
      }
      props.put(key, e.getValue());
    }
    brokerProperties = Map.copyOf(props);
  }

  /**
   * Kafka on 9092 and the registry on 8081 of {@code 127.0.0.1}, a free controller port, a
   * temporary data directory.
   */
  public static LocalStackConfig defaults() {
    return new LocalStackConfig(
        DEFAULT_HOST,
        DEFAULT_KAFKA_PORT,
        0,
        DEFAULT_REGISTRY_PORT,
        Optional.empty(),
        Map.of(),
        false,
        1);
  }

  /** Free ports on {@code 127.0.0.1} and a temporary data directory: for tests and benchmarks. */
  public static LocalStackConfig ephemeral() {
    return new LocalStackConfig(DEFAULT_HOST, 0, 0, 0, Optional.empty(), Map.of(), false, 1);
  }

  /** This configuration listening on {@code newHost}. */
  public LocalStackConfig withHost(String newHost) {
    return new LocalStackConfig(
        newHost,
        kafkaPort,
        controllerPort,
        registryPort,
        dataDir,
        brokerProperties,
        secure,
        brokers);
  }

  /** This configuration with the given ports (0 for a free one). */
  public LocalStackConfig withPorts(int newKafkaPort, int newControllerPort, int newRegistryPort) {
    return new LocalStackConfig(
        host,
        newKafkaPort,
        newControllerPort,
        newRegistryPort,
        dataDir,
        brokerProperties,
        secure,
        brokers);
  }

  /** This configuration keeping its data in {@code dir} (created if missing). */
  public LocalStackConfig withDataDir(Path dir) {
    return new LocalStackConfig(
        host,
        kafkaPort,
        controllerPort,
        registryPort,
        Optional.of(Objects.requireNonNull(dir, "dataDir")),
        brokerProperties,
        secure,
        brokers);
  }

  /** This configuration with {@code extra} broker settings added (later values win). */
  public LocalStackConfig withBrokerProperties(Map<String, String> extra) {
    var merged = new TreeMap<>(brokerProperties);
    merged.putAll(extra);
    return new LocalStackConfig(
        host, kafkaPort, controllerPort, registryPort, dataDir, merged, secure, brokers);
  }

  /** This configuration secured (or not): see {@link #secure()}. */
  public LocalStackConfig withSecurity(boolean newSecure) {
    return new LocalStackConfig(
        host,
        kafkaPort,
        controllerPort,
        registryPort,
        dataDir,
        brokerProperties,
        newSecure,
        brokers);
  }

  /** This configuration with {@code n} broker nodes: see {@link #brokers()}. */
  public LocalStackConfig withBrokers(int n) {
    return new LocalStackConfig(
        host, kafkaPort, controllerPort, registryPort, dataDir, brokerProperties, secure, n);
  }

  private static void checkPort(String field, int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(
          field + " must be between 0 (a free port) and 65535, got " + port);
    }
  }

  private static void checkDistinct(String field1, int port1, String field2, int port2) {
    if (port1 != 0 && port1 == port2) {
      throw new IllegalArgumentException(
          field1 + " and " + field2 + " must differ, both are " + port1);
    }
  }
}
