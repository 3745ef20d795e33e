package dev.lodestone.infra.chaos;

import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The local stack of one scenario, in this process, on fixed ports and a kept data directory, so
 * that it can go down and come back where the components left it ({@link #outage(Duration)}).
 */
public final class ChaosStack implements AutoCloseable {
  private final LocalStackConfig config;
  private LocalStack stack;

  /** Starts a one-broker stack keeping its data in {@code dir}. */
  public ChaosStack(Path dir) throws IOException {
    this(dir, 1);
  }

  /**
   * Starts a stack of {@code brokers} nodes (1 or 3) keeping its data in {@code dir}; with 3, nodes
   * 2 and 3 run as {@code lodestone node} processes of their own, node 1 in this process.
   */
  public ChaosStack(Path dir, int brokers) throws IOException {
    this.config =
        LocalStackConfig.ephemeral()
            .withDataDir(dir)
            .withPorts(freePort(), freePort(), freePort())
            .withBrokers(brokers);
    start();
  }

  /** How a node is taken down in the {@code brokers} scenario. */
  public enum NodeFault {
    /** Node 1, in this process: shut down without a controlled shutdown. */
    SHUTDOWN,
    /** A node in a process of its own: SIGKILL, then started again. */
    SIGKILL,
    /** A node in a process of its own: SIGSTOP, then SIGCONT. */
    SIGSTOP
  }

  /** Takes node {@code node} down by {@code fault}, waits {@code down}, and brings it back. */
  public void brokerDown(int node, NodeFault fault, Duration down) throws InterruptedException {
    switch (fault) {
      case SHUTDOWN -> stack.stopBroker(node);
      case SIGKILL -> stack.killBroker(node);
      case SIGSTOP -> stack.pauseBroker(node);
    }
    Thread.sleep(down.toMillis());
    if (fault == NodeFault.SIGSTOP) {
      stack.resumeBroker(node);
    } else {
      stack.startBroker(node, LocalStack.DEFAULT_START_TIMEOUT);
    }
  }

  private void start() {
    stack =
        config.brokers() == 3
            ? new LocalStack(
                config,
                (node, settings, dir) ->
                    LodestoneProcess.start(
                            dir, "node-" + node, List.of("node", "--config", settings.toString()))
                        .process())
            : new LocalStack(config);
    stack.start(LocalStack.DEFAULT_START_TIMEOUT);
  }

  /** Where the components find it. */
  public ClusterConfig cluster() {
    return ClusterConfig.of(stack.bootstrapServers(), stack.registryUrl());
  }

  /** Stops the broker and the registry, waits {@code down}, and starts them again. */
  public void outage(Duration down) throws InterruptedException {
    stack.close();
    Thread.sleep(down.toMillis());
    start();
  }

  @Override
  public void close() {
    if (stack != null) {
      stack.close();
    }
  }

  /** A port free on this machine now (for a stack that must come back on the same ports). */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
