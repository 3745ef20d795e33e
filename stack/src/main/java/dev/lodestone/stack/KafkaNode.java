package dev.lodestone.stack;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * One node of a local stack's three-node cluster in a process of its own (see {@link
 * NodeLauncher}): it runs with the settings file the stack wrote for it, on the stack's formatted
 * storage, until it is closed or its process ends. {@code lodestone node --config FILE} runs one.
 */
public final class KafkaNode implements AutoCloseable {
  private final EmbeddedKafka node;

  private KafkaNode(EmbeddedKafka node) {
    this.node = node;
  }

  /**
   * Starts the node of {@code propertiesFile} and returns once it runs.
   *
   * @throws LocalStackException when the file cannot be read, names no formatted log directory, or
   *     the node does not start within {@code timeout}
   */
  public static KafkaNode start(Path propertiesFile, Duration timeout) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new LocalStackException(
          "cannot read the node settings " + propertiesFile + ": " + e.getMessage(), e);
    }
    String dirs = p.getProperty("log.dirs");
    if (dirs == null || p.getProperty("node.id") == null) {
      throw new LocalStackException(
          propertiesFile + " holds no node settings (node.id and log.dirs are missing)");
    }
    if (!EmbeddedKafka.isFormatted(Path.of(dirs))) {
      throw new LocalStackException(
          "the log directory " + dirs + " is not formatted; a local stack formats it first");
    }
    EmbeddedKafka node = new EmbeddedKafka(p);
    node.start(timeout);
    return new KafkaNode(node);
  }

  /** Waits until the node has shut down. */
  public void awaitShutdown() {
    node.awaitShutdown();
  }

  /** Shuts the node down and waits until it has stopped. */
  @Override
  public void close() {
    node.stop();
  }
}
