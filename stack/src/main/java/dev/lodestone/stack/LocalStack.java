package dev.lodestone.stack;

import dev.lodestone.schemas.Topics;
import dev.lodestone.stack.registry.EmbeddedSchemaRegistry;
import dev.lodestone.stack.registry.RegistryStartException;
import dev.lodestone.stack.security.Role;
import dev.lodestone.stack.security.StackSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack: a single-node KRaft Kafka broker (or three nodes, {@link
 * LocalStackConfig#brokers()}) and the schema registry in this process, and the catalogue's topics
 * provisioned on the broker. With a {@link NodeLauncher}, nodes 2 and 3 of three run as processes
 * of their own instead, which {@link #killBroker(int)} and {@link #pauseBroker(int)} can crash and
 * stall. A secured stack ({@link LocalStackConfig#secure()}) adds TLS, SCRAM users and ACLs to the
 * broker and HTTPS with basic authentication to the registry ({@link #security()}).
 *
 * <p>Lifecycle: {@link State#CREATED} → {@link #start(Duration)} ({@link State#STARTING}) → {@link
 * State#RUNNING} → {@link #close()} ({@link State#STOPPING}) → {@link State#STOPPED}; a start that
 * fails leaves {@link State#FAILED} with everything it had started stopped again. {@code start}
 * returns once the broker and the registry accept connections and every catalogue topic has its
 * leaders.
 *
 * <p>Ports are checked before anything starts: a port in use fails with a {@link
 * PortInUseException} naming it. With a data directory the broker's storage is formatted once and
 * reused on later starts, and the registry keeps its schemas there, so topics, records and schema
 * ids survive a restart; without one the broker works in a temporary directory that {@link
 * #close()} deletes, and the registry keeps its schemas in memory.
 *
 * <p>Listening on a wildcard address ({@code 0.0.0.0}, {@code ::}) the broker advertises, and
 * {@link #bootstrapServers()} and {@link #registryUrl()} name, this machine's host name.
 *
 * <pre>{@code
 * try (LocalStack stack = new LocalStack(LocalStackConfig.ephemeral())) {
 *   stack.start(LocalStack.DEFAULT_START_TIMEOUT);
 *   String bootstrap = stack.bootstrapServers();
 *   ...
 * }
 * }</pre>
 */
public final class LocalStack implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

  /** A start timeout with room for a slow, busy machine (a start takes a few seconds). */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);

  /** Name of the lock file that keeps two stacks off one data directory. */
  static final String LOCK_FILE = ".lodestone-stack.lock";

  /** Where the broker keeps its log, under the stack's data directory. */
  static final String KAFKA_DIR = "kafka";

  /** Where the registry keeps its schemas, under a kept data directory. */
  static final String REGISTRY_DIR = "registry";

  /** Where a secured stack keeps its certificates, passwords and client files. */
  static final String SECURITY_DIR = "security";

  /** The lifecycle states of a stack. */
  public enum State {
    /** Configured, nothing started. */
    CREATED,
    /** {@link #start(Duration)} is bringing the registry and the broker up, provisioning topics. */
    STARTING,
    /** Broker and registry accept connections and the catalogue's topics exist. */
    RUNNING,
    /** {@link #close()} is shutting the broker and the registry down. */
    STOPPING,
    /** Everything is shut down (and a temporary directory deleted). */
    STOPPED,
    /** The start failed; whatever had started is shut down again. */
    FAILED
  }

  private final LocalStackConfig config;
  private final NodeLauncher launcher;
  private final ReentrantLock lifecycle = new ReentrantLock();
  private volatile State state = State.CREATED;

  private Path directory;
  private boolean temporaryDirectory;
  private FileChannel lockChannel;
  private FileLock dirLock;
  private EmbeddedKafka kafka;

  /** Nodes 2 and 3 of a three-node stack (node 1 is {@link #kafka}). */
  private final List<EmbeddedKafka> otherNodes = new ArrayList<>();

  /** With a {@link NodeLauncher}: the processes of nodes 2 and 3, and their settings files. */
  private final Map<Integer, Process> processes = new TreeMap<>();

  private final Map<Integer, Path> nodeSettings = new TreeMap<>();
  private final List<Integer> otherKafkaPorts = new ArrayList<>();
  private final List<Integer> otherControllerPorts = new ArrayList<>();
  private EmbeddedSchemaRegistry registry;
  private StackSecurity security;
  private String advertisedHost;
  private String localHost;
  private int kafkaPort;
  private int controllerPort;
  private boolean formatted;
  private TopicProvisioner.Result provisioned;

  /** A stack for {@code config}; nothing starts until {@link #start(Duration)}. */
  public LocalStack(LocalStackConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.launcher = null;
  }

  /**
   * A three-node stack whose nodes 2 and 3 run as processes of their own, started by {@code
   * launcher}, so that they can be killed ({@link #killBroker(int)}) and stalled ({@link
   * #pauseBroker(int)}) as real brokers are; node 1 and the registry run in this process.
   *
   * @throws IllegalArgumentException when {@code config} is not of three brokers
   */
  public LocalStack(LocalStackConfig config, NodeLauncher launcher) {
    this.config = Objects.requireNonNull(config, "config");
    this.launcher = Objects.requireNonNull(launcher, "launcher");
    if (config.brokers() != 3) {
      throw new IllegalArgumentException(
          "nodes in processes of their own need a three-node stack, got " + config.brokers());
    }
  }

  /** The configuration this stack was made with (ports as configured, 0 for free ones). */
  public LocalStackConfig config() {
    return config;
  }

  /** The current lifecycle state. */
  public State state() {
    return state;
  }

  /**
   * Starts the registry and the broker, provisions the catalogue's topics, and returns once all are
   * ready.
   *
   * @param timeout the most the start may take
   * @throws PortInUseException if a configured port is taken (nothing was started)
   * @throws DataDirException if the data directory cannot be created, written or locked
   * @throws TopicLayoutException if a kept data directory holds topics contradicting the catalogue
   * @throws LocalStackException if the broker or the registry does not come up in time
   * @throws IllegalStateException if the stack is not in {@link State#CREATED}
   */
  public void start(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    lifecycle.lock();
    try {
      if (state != State.CREATED) {
        throw new IllegalStateException("start() needs state CREATED, the stack is " + state);
      }
      state = State.STARTING;
      long t0 = System.nanoTime();
      long deadline = t0 + timeout.toNanos();
      try {
        resolveHostsAndPorts();
        prepareDirectory();
        Path kafkaDir = directory.resolve(KAFKA_DIR);
        if (config.secure()) {
          security = openSecurity(kafkaDir);
        }
        registry = startRegistry();
        long tRegistry = System.nanoTime();
        Files.createDirectories(kafkaDir);
        Map<String, String> brokerProperties = new LinkedHashMap<>(config.brokerProperties());
        brokerProperties.putAll(clusterProperties(1));
        if (security != null) {
          brokerProperties.putAll(
              security.brokerProperties(
                  urlHost(listenHost()) + ":" + kafkaPort,
                  urlHost(advertisedHost) + ":" + kafkaPort,
                  urlHost(localHost) + ":" + controllerPort));
        }
        kafka =
            new EmbeddedKafka(
                config.host(),
                advertisedHost,
                localHost,
                kafkaPort,
                controllerPort,
                kafkaDir,
                brokerProperties);
        String clusterId =
            EmbeddedKafka.clusterId(kafkaDir).orElseGet(() -> Uuid.randomUuid().toString());
        formatted =
            kafka.formatIfNeeded(
                directory.resolve("broker.properties"),
                clusterId,
                security == null ? List.of() : security.scramFormatArguments());
        for (int node = 2; node <= config.brokers(); node++) {
          Path nodeDir = directory.resolve(KAFKA_DIR + "-" + node);
          Files.createDirectories(nodeDir);
          Map<String, String> props = new LinkedHashMap<>(config.brokerProperties());
          props.putAll(clusterProperties(node));
          EmbeddedKafka other =
              new EmbeddedKafka(
                  config.host(),
                  advertisedHost,
                  localHost,
                  otherKafkaPorts.get(node - 2),
                  otherControllerPorts.get(node - 2),
                  nodeDir,
                  props);
          Path settings = directory.resolve("broker-" + node + ".properties");
          other.formatIfNeeded(settings, clusterId, List.of());
          if (launcher != null) {
            other.writeProperties(settings);
            nodeSettings.put(node, settings);
          }
          otherNodes.add(other);
        }
        long tFormat = System.nanoTime();
        startNodes(remaining(deadline));
        long tBroker = System.nanoTime();
        try (Admin admin = Admin.create(adminConfig())) {
          provisioned = new TopicProvisioner(admin).provision(Topics.ALL, remaining(deadline));
          if (security != null) {
            grantRoles(admin, remaining(deadline));
          }
        }
        long tTopics = System.nanoTime();
        for (int port : kafkaPorts()) {
          if (!Ports.accepts(localHost, port, remaining(deadline))) {
            throw new LocalStackException(
                "the Kafka broker does not accept connections on port " + port);
          }
        }
        if (!Ports.accepts(localHost, registry.port(), remaining(deadline))) {
          throw new LocalStackException(
              "the schema registry does not accept connections on port " + registry.port());
        }
        state = State.RUNNING;
        log.info(
            "Local stack running in {}: Kafka {}, schema registry {} (registry {} ms, {} storage {}"
                + " ms, broker {} ms, topics {} ms, {} created)",
            directory,
            bootstrapAddress(),
            registryAddress(),
            millis(tRegistry - t0),
            formatted ? "formatted" : "reused",
            millis(tFormat - tRegistry),
            millis(tBroker - tFormat),
            millis(tTopics - tBroker),
            provisioned.created().size());
      } catch (IOException e) {
        fail();
        throw new DataDirException(directory, "cannot be written: " + e.getMessage(), e);
      } catch (RuntimeException | Error e) {
        fail();
        if (e instanceof LocalStackException && hasCause(e, BindException.class)) {
          // Another process took a port between the check and the broker's bind: name it.
          throw portTakenSinceCheck((LocalStackException) e);
        }
        throw e;
      }
    } finally {
      lifecycle.unlock();
    }
  }

  /** The bootstrap address for clients, {@code host:port}. */
  public String bootstrapServers() {
    requireStarted();
    return bootstrapAddress();
  }

  /** The schema registry's base URL for clients, e.g. {@code http://127.0.0.1:8081}. */
  public String registryUrl() {
    requireStarted();
    return registryAddress();
  }

  /** The schema registry's port (the one picked, when configured as 0). */
  public int registryPort() {
    requireStarted();
    return registry.port();
  }

  /** The broker's client port (the one picked, when configured as 0). */
  public int kafkaPort() {
    requireStarted();
    return kafkaPort;
  }

  /** The directory the stack keeps its data in: the configured one, or a temporary one. */
  public Path directory() {
    requireStarted();
    return directory;
  }

  /** Whether this start formatted fresh storage (false: the data directory's storage reused). */
  public boolean formattedStorage() {
    requireStarted();
    return formatted;
  }

  /** Which catalogue topics this start created and which it found. */
  public TopicProvisioner.Result provisionedTopics() {
    requireStarted();
    return provisioned;
  }

  /**
   * The security material of a secured stack ({@link LocalStackConfig#secure()}): where each role's
   * client configuration file is; empty for a plaintext stack.
   */
  public Optional<StackSecurity> security() {
    requireStarted();
    return Optional.ofNullable(security);
  }

  /** Client settings that reach this stack: {@code bootstrap.servers}; add serdes and the rest. */
  public Map<String, Object> clientConfig() {
    return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
  }

  /**
   * Shuts the broker down cleanly, waits until it has stopped, deletes a temporary directory and
   * releases the data directory. Safe to call in any state and more than once.
   */
  @Override
  public void close() {
    lifecycle.lock();
    try {
      if (state == State.STOPPED || state == State.FAILED || state == State.CREATED) {
        if (state == State.CREATED) {
          state = State.STOPPED;
        }
        return;
      }
      state = State.STOPPING;
      List<Throwable> errors = shutDownAll();
      state = State.STOPPED;
      log.info("Local stack stopped");
      if (!errors.isEmpty()) {
        LocalStackException e =
            new LocalStackException(
                "the local stack did not stop cleanly: " + errors.get(0).getMessage(),
                errors.get(0));
        errors.stream().skip(1).forEach(e::addSuppressed);
        throw e;
      }
    } finally {
      lifecycle.unlock();
    }
  }

  private void resolveHostsAndPorts() {
    String host = config.host();
    InetAddress address = Ports.resolve(host);
    if (address.isAnyLocalAddress()) {
      // Listening everywhere: clients need a name that reaches this machine; the stack's own
      // connections (controller, checks) stay on the loopback address.
      localHost = InetAddress.getLoopbackAddress().getHostAddress();
      try {
        advertisedHost = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        advertisedHost = localHost;
      }
    } else {
      localHost = host;
      advertisedHost = host;
    }
    // Check every fixed port before starting anything, so a clash leaves nothing behind.
    if (config.kafkaPort() != 0) {
      Ports.requireFree(host, config.kafkaPort(), PortInUseException.Purpose.KAFKA);
    }
    if (config.controllerPort() != 0) {
      Ports.requireFree(host, config.controllerPort(), PortInUseException.Purpose.CONTROLLER);
    }
    if (config.registryPort() != 0) {
      Ports.requireFree(host, config.registryPort(), PortInUseException.Purpose.REGISTRY);
    }
    List<Integer> taken =
        new ArrayList<>(
            List.of(config.kafkaPort(), config.controllerPort(), config.registryPort()));
    kafkaPort = config.kafkaPort() != 0 ? config.kafkaPort() : Ports.pickFree(host, taken);
    taken.add(kafkaPort);
    controllerPort =
        config.controllerPort() != 0 ? config.controllerPort() : Ports.pickFree(host, taken);
    taken.add(controllerPort);
    otherKafkaPorts.clear();
    otherControllerPorts.clear();
    for (int node = 2; node <= config.brokers(); node++) {
      int k = Ports.pickFree(host, taken);
      taken.add(k);
      int c = Ports.pickFree(host, taken);
      taken.add(c);
      otherKafkaPorts.add(k);
      otherControllerPorts.add(c);
    }
  }

  private void prepareDirectory() throws IOException {
    if (config.dataDir().isEmpty()) {
      directory = Files.createTempDirectory("lodestone-stack-");
      temporaryDirectory = true;
      return;
    }
    Path dir = config.dataDir().get();
    directory = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new DataDirException(dir, "cannot be created: " + e.getMessage(), e);
    }
    if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
      throw new DataDirException(dir, "is not a writable directory", null);
    }
    try {
      lockChannel =
          FileChannel.open(
              dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      dirLock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      dirLock = null;
    } catch (IOException e) {
      throw new DataDirException(dir, "cannot be locked: " + e.getMessage(), e);
    }
    if (dirLock == null) {
      throw new DataDirException(dir, "is in use by another running Lodestone stack", null);
    }
  }

  /**
   * The security material of a secured start: the data directory's own when it has some, made fresh
   * otherwise; a kept directory whose storage was formatted without it cannot be secured (its
   * broker has no SCRAM users).
   */
  private StackSecurity openSecurity(Path kafkaDir) throws IOException {
    Path dir = directory.resolve(SECURITY_DIR);
    if (!StackSecurity.exists(dir) && EmbeddedKafka.isFormatted(kafkaDir)) {
      throw new DataDirException(
          directory,
          "holds a broker made without --secure; secure a new data directory instead",
          null);
    }
    StackSecurity made = StackSecurity.openOrCreate(dir, advertisedHost);
    made.writeClientConfigs();
    return made;
  }

  /** Creates every role's ACLs (an existing one is kept). */
  private static void grantRoles(Admin admin, Duration timeout) {
    List<AclBinding> bindings = new ArrayList<>();
    for (Role role : Role.values()) {
      bindings.addAll(role.acls());
    }
    try {
      admin.createAcls(bindings).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new LocalStackException("cannot create the roles' ACLs: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("interrupted while creating the roles' ACLs", e);
    }
    log.info("ACLs of {} roles in force ({} bindings)", Role.values().length - 1, bindings.size());
  }

  /** The address the client listener binds to. */
  private String listenHost() {
    return config.host();
  }

  private RuntimeException portTakenSinceCheck(LocalStackException bindFailure) {
    try {
      Ports.requireFree(config.host(), kafkaPort, PortInUseException.Purpose.KAFKA);
      Ports.requireFree(config.host(), controllerPort, PortInUseException.Purpose.CONTROLLER);
    } catch (PortInUseException e) {
      e.addSuppressed(bindFailure);
      return e;
    }
    return bindFailure;
  }

  private EmbeddedSchemaRegistry startRegistry() {
    Optional<Path> registryDir =
        config.dataDir().isPresent()
            ? Optional.of(directory.resolve(REGISTRY_DIR))
            : Optional.empty();
    try {
      if (security != null) {
        return EmbeddedSchemaRegistry.start(
            config.host(),
            config.registryPort(),
            registryDir,
            security.serverContext(),
            security.registryUsers());
      }
      return EmbeddedSchemaRegistry.start(config.host(), config.registryPort(), registryDir);
    } catch (RegistryStartException e) {
      if (hasCause(e, BindException.class)) {
        throw new PortInUseException(
            config.host(), config.registryPort(), PortInUseException.Purpose.REGISTRY, e);
      }
      throw new LocalStackException(e.getMessage(), e);
    }
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private void fail() {
    state = State.FAILED;
    List<Throwable> errors = shutDownAll();
    errors.forEach(e -> log.warn("While cleaning up a failed start: {}", e.toString()));
  }

  /** Stops whatever runs, in reverse order of starting; returns what went wrong. */
  private List<Throwable> shutDownAll() {
    List<Throwable> errors = new ArrayList<>();
    for (Map.Entry<Integer, Process> e : processes.entrySet()) {
      try {
        stopProcess(e.getValue());
      } catch (RuntimeException ex) {
        errors.add(ex);
      }
    }
    processes.clear();
    if (launcher != null) {
      otherNodes.clear(); // never started in this process
    }
    for (int i = otherNodes.size() - 1; i >= 0; i--) {
      try {
        otherNodes.get(i).stop();
      } catch (RuntimeException e) {
        errors.add(e);
      }
    }
    otherNodes.clear();
    if (kafka != null) {
      try {
        kafka.stop();
      } catch (RuntimeException e) {
        errors.add(e);
      }
      kafka = null;
    }
    if (registry != null) {
      try {
        registry.close();
      } catch (RuntimeException e) {
        errors.add(e);
      }
      registry = null;
    }
    if (dirLock != null) {
      try {
        dirLock.release();
      } catch (IOException e) {
        errors.add(e);
      }
      dirLock = null;
    }
    if (lockChannel != null) {
      try {
        lockChannel.close();
      } catch (IOException e) {
        errors.add(e);
      }
      lockChannel = null;
    }
    if (temporaryDirectory && directory != null) {
      try {
        deleteRecursively(directory);
      } catch (UncheckedIOException e) {
        errors.add(e);
      }
    }
    return errors;
  }

  private static void deleteRecursively(Path dir) {
    try {
      FileUtils.deleteDirectory(dir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete temporary directory " + dir, e);
    }
  }

  private Map<String, Object> adminConfig() {
    Map<String, Object> p = new HashMap<>();
    if (security != null) {
      p.putAll(security.kafkaClientProperties(Role.ADMIN));
    }
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, urlHost(localHost) + ":" + kafkaPort);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "lodestone-stack-provisioner");
    return p;
  }

  private String bootstrapAddress() {
    List<String> servers = new ArrayList<>();
    for (int port : kafkaPorts()) {
      servers.add(urlHost(advertisedHost) + ":" + port);
    }
    return String.join(",", servers);
  }

  /** The client ports of the nodes, node 1 first. */
  private List<Integer> kafkaPorts() {
    List<Integer> ports = new ArrayList<>(List.of(kafkaPort));
    ports.addAll(otherKafkaPorts);
    return ports;
  }

  /**
   * The settings that make node {@code node} one of the stack's nodes: its id and, with three
   * nodes, the quorum of all three and the replication of a three-node cluster.
   */
  private Map<String, String> clusterProperties(int node) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("node.id", Integer.toString(node));
    if (config.brokers() == 1) {
      return p;
    }
    List<String> voters = new ArrayList<>();
    voters.add("1@" + urlHost(localHost) + ":" + controllerPort);
    for (int i = 0; i < otherControllerPorts.size(); i++) {
      voters.add((i + 2) + "@" + urlHost(localHost) + ":" + otherControllerPorts.get(i));
    }
    p.put("controller.quorum.voters", String.join(",", voters));
    String replicas = Integer.toString(config.brokers());
    p.put("offsets.topic.replication.factor", replicas);
    p.put("transaction.state.log.replication.factor", replicas);
    p.put("transaction.state.log.min.isr", "2");
    p.put("share.coordinator.state.topic.replication.factor", replicas);
    p.put("share.coordinator.state.topic.min.isr", "2");
    p.put("default.replication.factor", replicas);
    p.put("min.insync.replicas", "2");
    // A node stops at once, as a crashed one would, without first handing its leaderships over;
    // and the last nodes of a stack that shuts down do not wait for a quorum already gone.
    p.put("controlled.shutdown.enable", "false");
    return p;
  }

  /**
   * Starts the nodes and waits until each runs: one at a time for one node, all at once for three
   * (a node of a quorum waits for the others before it is up).
   */
  private void startNodes(Duration timeout) {
    if (otherNodes.isEmpty()) {
      kafka.start(timeout);
      return;
    }
    if (launcher != null) {
      long deadline = System.nanoTime() + timeout.toNanos();
      for (int node : nodeSettings.keySet()) {
        launch(node);
      }
      kafka.start(remaining(deadline));
      for (int node : nodeSettings.keySet()) {
        awaitNode(node, deadline);
      }
      return;
    }
    List<EmbeddedKafka> all = new ArrayList<>(List.of(kafka));
    all.addAll(otherNodes);
    List<Thread> starters = new ArrayList<>();
    List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (EmbeddedKafka node : all) {
      Thread t =
          new Thread(
              () -> {
                try {
                  node.start(timeout);
                } catch (RuntimeException e) {
                  failures.add(e);
                }
              },
              "lodestone-node-start");
      t.start();
      starters.add(t);
    }
    for (Thread t : starters) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LocalStackException("interrupted while starting the Kafka nodes", e);
      }
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  /** The broker nodes this stack runs: 1 or 3. */
  public int brokers() {
    return config.brokers();
  }

  /**
   * Stops node {@code node} (1-based) and waits until it has stopped, leaving the others running:
   * with three nodes the cluster goes on without it. The node is shut down in this process without
   * a controlled shutdown (it hands no leadership over, the controller fences it when its session
   * lapses), which is as close to a crash as a node sharing a process can come.
   */
  public void stopBroker(int node) {
    requireStarted();
    if (inProcessOfItsOwn(node)) {
      throw new IllegalStateException(
          "Kafka node " + node + " runs in a process of its own: kill or pause it");
    }
    nodeOf(node).stop();
    log.info("Kafka node {} stopped", node);
  }

  /** Starts node {@code node} again after {@link #stopBroker(int)}, on its ports and its log. */
  public void startBroker(int node, Duration timeout) {
    requireStarted();
    if (inProcessOfItsOwn(node)) {
      if (processes.containsKey(node)) {
        throw new IllegalStateException("Kafka node " + node + " runs already");
      }
      launch(node);
      awaitNode(node, System.nanoTime() + timeout.toNanos());
      log.info("Kafka node {} started again", node);
      return;
    }
    EmbeddedKafka k = nodeOf(node);
    if (k.running()) {
      throw new IllegalStateException("Kafka node " + node + " runs already");
    }
    k.start(timeout);
    log.info("Kafka node {} started again", node);
  }

  /** Whether node {@code node} runs as a process of its own ({@link NodeLauncher}). */
  public boolean inProcessOfItsOwn(int node) {
    return launcher != null && node >= 2 && node <= config.brokers();
  }

  /**
   * Kills the process of node {@code node} with SIGKILL and waits until it has exited: a crash,
   * with no shutdown of any kind. {@link #startBroker(int, Duration)} starts it again.
   *
   * @throws IllegalStateException when the node does not run in a process of its own
   */
  public void killBroker(int node) {
    requireStarted();
    Process p = processOf(node);
    p.destroyForcibly();
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("interrupted while killing Kafka node " + node, e);
    }
    processes.remove(node);
    log.info("Kafka node {} killed (SIGKILL)", node);
  }

  /**
   * Stops the process of node {@code node} with SIGSTOP: it holds its connections and answers
   * nothing, as a node cut off by a network partition or stalled by a long pause would, until
   * {@link #resumeBroker(int)}.
   */
  public void pauseBroker(int node) {
    requireStarted();
    signal(processOf(node), "STOP");
    log.info("Kafka node {} paused (SIGSTOP)", node);
  }

  /** Lets the process of node {@code node} run again after {@link #pauseBroker(int)} (SIGCONT). */
  public void resumeBroker(int node) {
    requireStarted();
    signal(processOf(node), "CONT");
    log.info("Kafka node {} resumed (SIGCONT)", node);
  }

  private Process processOf(int node) {
    if (!inProcessOfItsOwn(node)) {
      throw new IllegalStateException(
          "Kafka node " + node + " does not run in a process of its own");
    }
    Process p = processes.get(node);
    if (p == null) {
      throw new IllegalStateException("Kafka node " + node + " is not running");
    }
    return p;
  }

  private static void signal(Process p, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
      if (kill.waitFor() != 0) {
        throw new LocalStackException("kill -" + signal + " " + p.pid() + " failed");
      }
    } catch (IOException e) {
      throw new LocalStackException("cannot send SIG" + signal + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStackException("interrupted while sending SIG" + signal, e);
    }
  }

  private void launch(int node) {
    try {
      Process p = launcher.launch(node, nodeSettings.get(node), directory);
      processes.put(node, p);
    } catch (IOException e) {
      throw new LocalStackException("cannot start Kafka node " + node + ": " + e.getMessage(), e);
    }
  }

  private void awaitNode(int node, long deadline) {
    int port = otherKafkaPorts.get(node - 2);
    while (!Ports.accepts(localHost, port, Duration.ofMillis(200))) {
      Process p = processes.get(node);
      if (p == null || !p.isAlive()) {
        throw new LocalStackException(
            "Kafka node " + node + " exited while starting (its output is in " + directory + ")");
      }
      if (System.nanoTime() > deadline) {
        throw new LocalStackException("Kafka node " + node + " did not start in time");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LocalStackException("interrupted while starting Kafka node " + node, e);
      }
    }
  }

  /** SIGCONT (a paused node), then SIGTERM and up to 30 s for a clean stop, then SIGKILL. */
  private static void stopProcess(Process p) {
    if (!p.isAlive()) {
      return;
    }
    signal(p, "CONT");
    p.destroy();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  private EmbeddedKafka nodeOf(int node) {
    if (node < 1 || node > config.brokers()) {
      throw new IllegalArgumentException(
          "node must be between 1 and " + config.brokers() + ", got " + node);
    }
    return node == 1 ? kafka : otherNodes.get(node - 2);
  }

  private String registryAddress() {
    return (security == null ? "http://" : "https://")
        + urlHost(advertisedHost)
        + ":"
        + registry.port();
  }

  /** A host as it appears in a URL or a {@code host:port} pair (IPv6 literals in brackets). */
  static String urlHost(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  private void requireStarted() {
    State s = state;
    if (s != State.RUNNING) {
      throw new IllegalStateException("the local stack is " + s + ", not RUNNING");
    }
  }

  private static Duration remaining(long deadline) {
    long nanos = deadline - System.nanoTime();
    if (nanos <= 0) {
      throw new LocalStackException("the local stack did not start in time");
    }
    return Duration.ofNanos(nanos);
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }
}
