package dev.lodestone.infra.options;

import dev.lodestone.schemas.kafka.ClusterConfig;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --bootstrap} and {@code --registry}: where an existing cluster is. */
public final class ClusterOptions {

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (comma-separated HOST:PORT list).")
  public String bootstrap;

  @Option(
      names = "--registry",
      paramLabel = "URL",
      description = "Schema registry URL, e.g. http://127.0.0.1:8081.")
  public String registry;

  @Option(
      names = "--command-config",
      paramLabel = "FILE",
      description =
          "Client settings for a secured cluster, as Kafka's tools take them: Java properties"
              + " applied to every Kafka client (security.protocol, sasl.*, ssl.*), and the"
              + " registry's basic.auth.user.info and schema.registry.ssl.truststore.*."
              + " `lodestone up --secure` writes one per role.")
  public Path commandConfig;

  /** Whether a cluster was given. */
  public boolean given() {
    return bootstrap != null;
  }

  /**
   * The cluster; both options are required.
   *
   * @throws CommandLine.ParameterException when one is missing or malformed
   */
  public ClusterConfig require(CommandSpec spec) {
    if (bootstrap == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--bootstrap HOST:PORT is required");
    }
    if (registry == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--registry URL is required with --bootstrap");
    }
    try {
      ClusterConfig cluster = ClusterConfig.of(bootstrap, registry);
      return commandConfig == null
          ? cluster
          : cluster.withClientProperties(ClusterConfig.readClientConfig(commandConfig));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
