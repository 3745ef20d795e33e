package dev.lodestone.stack;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Starts a node of a three-node local stack as a process of its own, so that it can be killed with
 * SIGKILL or stalled with SIGSTOP like a real broker ({@link LocalStack#killBroker(int)}, {@link
 * LocalStack#pauseBroker(int)}). The process runs {@link KafkaNode} with the settings file the
 * stack wrote ({@code lodestone node --config FILE} does).
 */
@FunctionalInterface
public interface NodeLauncher {
  /**
   * Starts the process of node {@code node}.
   *
   * @param node the node id, 2 or 3
   * @param properties the node's settings file
   * @param dir the stack's data directory, where the process may write its output
   */
  Process launch(int node, Path properties, Path dir) throws IOException;
}
