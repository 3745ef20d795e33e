package dev.lodestone.infra.cli;

import dev.lodestone.stack.KafkaNode;
import dev.lodestone.stack.LocalStackException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone node}: one node of a three-node local stack in a process of its own, from the
 * settings file the stack wrote (how {@code lodestone bench chaos --scenario brokers} runs nodes 2
 * and 3, so that it can kill them with SIGKILL and stall them with SIGSTOP).
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run one Kafka node of a three-node local stack in this process until interrupted, from"
          + " the settings file the stack wrote for it (DATA_DIR/broker-N.properties) on the"
          + " storage it formatted. The chaos benchmark's brokers scenario starts nodes 2 and 3"
          + " this way.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "130/143:stopped after Ctrl-C / SIGTERM",
      "1:the node could not start",
      "2:invalid option"
    })
public final class NodeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      required = true,
      description = "The node's settings file, as the local stack wrote it.")
  Path config;

  @Option(
      names = "--start-timeout",
      paramLabel = "SECONDS",
      defaultValue = "90",
      description = "Give up if the node does not run in time (default: ${DEFAULT-VALUE}).")
  int startTimeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    KafkaNode node;
    try {
      node = KafkaNode.start(config, Duration.ofSeconds(startTimeoutSeconds));
    } catch (LocalStackException e) {
      err.println("lodestone node: " + e.getMessage());
      err.flush();
      return 1;
    }
    try (Signals signals = Signals.install("lodestone-node", Duration.ofSeconds(60));
        node) {
      err.println("lodestone node: running from " + config);
      err.flush();
      while (!signals.sleep(1000)) {
        // serving
      }
      err.println("lodestone node: stopping");
      err.flush();
      return 130;
    }
  }
}
