package dev.lodestone.infra.options;

import dev.lodestone.judge.human.FeedbackConfig;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The human judge's queue and limits, shared by {@code lodestone feedback} and {@code lodestone run
 * --judge human}.
 */
public final class FeedbackOptions {
  /** The default token file, in the working directory. */
  public static final String DEFAULT_TOKENS = "feedback-tokens.json";

  @Option(
      names = "--tokens",
      paramLabel = "FILE",
      defaultValue = DEFAULT_TOKENS,
      description =
          "The annotators' token file, written by `lodestone feedback tokens add`; reread when it"
              + " changes (default: ${DEFAULT-VALUE}).")
  public Path tokens;

  @Option(
      names = "--quorum",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Distinct annotators each pair goes to; the label join waits for as many labels"
              + " (default: ${DEFAULT-VALUE}).")
  public int quorum;

  @Option(
      names = "--lease",
      paramLabel = "SECONDS",
      defaultValue = "" + FeedbackConfig.DEFAULT_LEASE_SECONDS,
      description =
          "How long an item handed to an annotator waits for the answer before it returns to the"
              + " queue (default: ${DEFAULT-VALUE}).")
  public long leaseSeconds;

  @Option(
      names = "--max-wait",
      paramLabel = "SECONDS",
      defaultValue = "" + FeedbackConfig.DEFAULT_MAX_WAIT_SECONDS,
      description =
          "How long a group waits for its labels before it leaves the queue (lodestone run"
              + " --judge human gives the label join the same wait) (default: ${DEFAULT-VALUE}).")
  public long maxWaitSeconds;

  @Option(
      names = "--rate-limit",
      paramLabel = "N",
      defaultValue = "" + FeedbackConfig.DEFAULT_REQUESTS_PER_SECOND,
      description =
          "Requests per second each token may make; 429 beyond (default: ${DEFAULT-VALUE}).")
  public int requestsPerSecond;

  /** The options given on the command line, by name (for refusing them with other judges). */
  public List<String> given(CommandSpec spec) {
    List<String> given = new ArrayList<>();
    for (String name : List.of("--tokens", "--quorum", "--lease", "--max-wait", "--rate-limit")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(name)) {
        given.add(name);
      }
    }
    return given;
  }

  /**
   * The service's configuration on this address.
   *
   * @throws IllegalArgumentException for a value out of range
   */
  public FeedbackConfig config(ClusterConfig cluster, String host, int port) {
    return FeedbackConfig.of(cluster, tokens)
        .withAddress(host, port)
        .withQueue(quorum, Duration.ofSeconds(leaseSeconds), Duration.ofSeconds(maxWaitSeconds))
        .withRequestsPerSecond(requestsPerSecond);
  }
}
