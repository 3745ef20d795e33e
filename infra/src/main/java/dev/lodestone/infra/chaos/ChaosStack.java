package dev.lodestone.infra.chaos;

import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

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

  /** Starts a stack of {@code brokers} nodes (1 or 3) keeping its data in {@code dir}. */
  public ChaosStack(Path dir, int brokers) throws IOException {
    this.config =
        LocalStackConfig.ephemeral()
            .withDataDir(dir)
            .withPorts(freePort(), freePort(), freePort())
            .withBrokers(brokers);
    start();
  }

  /** Stops broker node {@code node}, waits {@code down}, and starts it again. */
  public void brokerDown(int node, Duration down) throws InterruptedException {
    stack.stopBroker(node);
    Thread.sleep(down.toMillis());
    stack.startBroker(node, LocalStack.DEFAULT_START_TIMEOUT);
  }

  private void start() {
    stack = new LocalStack(config);
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

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
