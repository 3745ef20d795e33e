package dev.lodestone.infra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import dev.lodestone.stack.LocalStackException;
import dev.lodestone.stack.PortInUseException;
import dev.lodestone.stack.TopicProvisioningException;
import dev.lodestone.stack.security.Role;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone up}: starts the local stack in this process, prints where it listens once both
 * endpoints accept connections, and runs until interrupted (Ctrl-C or SIGTERM), when a shutdown
 * hook stops it cleanly.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Start the local stack: a single-node Kafka broker (KRaft) and a schema registry in this"
          + " process, with every catalogue topic created.",
      "Once both accept connections it prints, on their own lines,",
      "  Kafka bootstrap: HOST:PORT",
      "  Schema registry: URL",
      "and runs until interrupted (Ctrl-C); then it shuts down cleanly and deletes a temporary"
          + " data directory.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:stopped cleanly after --stop-when-up",
      "130:stopped cleanly after Ctrl-C (SIGINT)",
      "143:stopped cleanly after SIGTERM",
      "1:the stack could not start (port in use, unusable data directory, timeout)",
      "2:invalid option"
    })
public final class UpCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      defaultValue = LocalStackConfig.DEFAULT_HOST,
      description = "Address to listen on and to advertise to clients (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--kafka-port",
      paramLabel = "PORT",
      defaultValue = "" + LocalStackConfig.DEFAULT_KAFKA_PORT,
      description =
          "Kafka broker port for clients; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--registry-port",
      paramLabel = "PORT",
      defaultValue = "" + LocalStackConfig.DEFAULT_REGISTRY_PORT,
      description = "Schema registry HTTP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int registryPort;

  @Option(
      names = "--controller-port",
      paramLabel = "PORT",
      defaultValue = "0",
      description =
          "KRaft controller port (internal to the broker); 0 picks a free one (default:"
              + " ${DEFAULT-VALUE}).")
  int controllerPort;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Keep the broker's log and the registry's schemas in DIR (created if missing), so a"
              + " restart on the same DIR keeps topics, records and schema ids. Default: a"
              + " temporary directory, deleted on exit.")
  Path dataDir;

  @Option(
      names = "--start-timeout",
      paramLabel = "SECONDS",
      defaultValue = "90",
      description =
          "Give up if the stack is not up within this many seconds (default: ${DEFAULT-VALUE}).")
  int startTimeoutSeconds;

  @Option(
      names = "--stop-when-up",
      description =
          "Stop cleanly as soon as both endpoints are up and printed, and exit 0: a smoke test of"
              + " the installation (the launcher also uses it to prepare its class-data archive).")
  boolean stopWhenUp;

  @Option(
      names = "--brokers",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Broker nodes, 1 or 3 (default: ${DEFAULT-VALUE}). With 3, each node is a broker and a"
              + " KRaft controller on ports of its own (the first on --kafka-port), topics have 3"
              + " replicas and min.insync.replicas 2, and one node may be down. Not with --secure.")
  int brokers;

  @Option(
      names = "--secure",
      description =
          "Secure the stack: the broker takes TLS with SASL/SCRAM-SHA-512 and authorizes with ACLs,"
              + " one user per role (admin, sampler, judge, learner) allowed only what its"
              + " components need; the registry takes HTTPS with basic authentication. The"
              + " certificates, passwords and each role's client settings are written to"
              + " DATA_DIR/security/ROLE.properties, for every command's --command-config.")
  boolean secure;

  @Option(
      names = "--json",
      description =
          "Print one JSON object instead of the two lines: {\"bootstrap\": \"HOST:PORT\","
              + " \"registry\": \"URL\", \"dataDir\": \"DIR\"}, with --secure also"
              + " \"adminConfig\", \"samplerConfig\", \"judgeConfig\" and \"learnerConfig\".")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LocalStackConfig config;
    try {
      checkPort("--kafka-port", kafkaPort);
      checkPort("--registry-port", registryPort);
      checkPort("--controller-port", controllerPort);
      if (startTimeoutSeconds < 1) {
        throw new IllegalArgumentException(
            "--start-timeout must be at least 1 second, got " + startTimeoutSeconds);
      }
      config =
          new LocalStackConfig(
              host,
              kafkaPort,
              controllerPort,
              registryPort,
              Optional.ofNullable(dataDir),
              Map.of(),
              secure,
              brokers);
    } catch (IllegalArgumentException e) {
      err.println("lodestone up: " + e.getMessage());
      err.flush();
      return 2;
    }

    LocalStack stack = new LocalStack(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              try {
                stack.close();
              } finally {
                stopped.countDown();
              }
            },
            "lodestone-up-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      stack.start(Duration.ofSeconds(startTimeoutSeconds));
    } catch (PortInUseException e) {
      removeHook(hook);
      err.println("lodestone up: " + e.getMessage() + hint(e.purpose()));
      err.flush();
      return 1;
    } catch (LocalStackException | TopicProvisioningException e) {
      removeHook(hook);
      err.println("lodestone up: " + e.getMessage());
      err.flush();
      return 1;
    }

    if (json) {
      Map<String, String> endpoints = new LinkedHashMap<>();
      endpoints.put("bootstrap", stack.bootstrapServers());
      endpoints.put("registry", stack.registryUrl());
      endpoints.put("dataDir", stack.directory().toString());
      stack
          .security()
          .ifPresent(
              security -> {
                for (Role role : Role.values()) {
                  endpoints.put(role.user() + "Config", security.clientConfig(role).toString());
                }
              });
      out.println(new ObjectMapper().writeValueAsString(endpoints));
    } else {
      out.println("Kafka bootstrap: " + stack.bootstrapServers());
      out.println("Schema registry: " + stack.registryUrl());
      stack
          .security()
          .ifPresent(
              security ->
                  out.println(
                      "Client settings: "
                          + security.directory()
                          + "/{admin,sampler,judge,learner}.properties (--command-config)"));
    }
    out.flush();

    if (stopWhenUp) {
      removeHook(hook);
      stack.close();
      return 0;
    }
    // Runs until the shutdown hook (Ctrl-C, SIGTERM) has stopped the stack.
    stopped.await();
    return 0;
  }

  private static void checkPort(String option, int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(
          option + " must be between 0 (a free port) and 65535, got " + port);
    }
  }

  private static String hint(PortInUseException.Purpose purpose) {
    return switch (purpose) {
      case KAFKA -> " (choose another with --kafka-port, or 0 for a free one)";
      case REGISTRY -> " (choose another with --registry-port, or 0 for a free one)";
      case CONTROLLER -> " (choose another with --controller-port, or 0 for a free one)";
    };
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook runs and finds the stack stopped.
    }
  }
}
