package dev.lodestone.infra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.options.ClusterOptions;
import dev.lodestone.infra.options.FeedbackOptions;
import dev.lodestone.judge.human.AnnotatorTokens;
import dev.lodestone.judge.human.FeedbackConfig;
import dev.lodestone.judge.human.FeedbackService;
import dev.lodestone.judge.human.ScriptedAnnotator;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone feedback}: the human judge's service (a labelling page and a JSON API) against
 * an existing cluster, and its tools: {@code tokens add|list|revoke} and {@code annotate}, a
 * simulated annotator for game tasks.
 */
@Command(
    name = "feedback",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    subcommands = {FeedbackCommand.Tokens.class, FeedbackCommand.Annotate.class},
    description = {
      "Run the human judge: people compare two responses on a web page, applications send their"
          + " users' choices through a JSON API (described at /openapi.json), and every answer is"
          + " a label (kind HUMAN, judgeId the annotator) on labels. Runs against an existing"
          + " cluster until interrupted; its queue lives on the compacted topic feedback, so a"
          + " restart loses nothing. Run the label join beside it with the same --quorum"
          + " (lodestone judge ... or lodestone run --judge human).",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "130/143:stopped cleanly after Ctrl-C / SIGTERM",
      "1:the service failed or did not start",
      "2:invalid option"
    })
public final class FeedbackCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ClusterOptions cluster;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      defaultValue = "127.0.0.1",
      description =
          "The address the page and the API listen on; 0.0.0.0 for every interface (put TLS in"
              + " front of it beyond a trusted network) (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "P",
      defaultValue = "" + FeedbackConfig.DEFAULT_PORT,
      description = "The port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Mixin FeedbackOptions feedback;

  @Option(
      names = "--application-id",
      paramLabel = "ID",
      defaultValue = FeedbackConfig.DEFAULT_APPLICATION_ID,
      description =
          "The consumer group whose committed offsets of samples say where the service resumes"
              + " (default: ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(
      names = "--instance-id",
      paramLabel = "ID",
      defaultValue = FeedbackConfig.DEFAULT_INSTANCE_ID,
      description =
          "The instance's id in its transactional id: a restarted instance with the same id fences"
              + " its predecessor (default: ${DEFAULT-VALUE}).")
  String instanceId;

  @Option(
      names = "--start-timeout",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description = "Give up if the service is not running in time (default: ${DEFAULT-VALUE}).")
  int startTimeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ClusterConfig clusterConfig = cluster.require(spec);
    FeedbackConfig config;
    try {
      config = feedback.config(clusterConfig, host, port).withIds(applicationId, instanceId);
      if (!AnnotatorTokens.read(config.tokens()).anyActive()) {
        throw new IllegalArgumentException(noTokens(config.tokens()));
      }
    } catch (IllegalArgumentException | IOException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try (FeedbackService service = new FeedbackService(config);
        Signals signals = Signals.install("lodestone-feedback", Duration.ofSeconds(60))) {
      if (!Foreground.start(
          List.of(service), Duration.ofSeconds(startTimeoutSeconds), "feedback", err)) {
        return 1;
      }
      err.println(
          "lodestone feedback: the labelling page is at "
              + service.url()
              + " (API: "
              + service.url()
              + "openapi.json); "
              + service.restoredGroups()
              + " groups were waiting; quorum "
              + config.quorum());
      err.flush();
      Foreground.await(List.of(service), signals);
      err.println("lodestone feedback: stopping after " + service.labelsPublished() + " labels");
      err.flush();
      service.close();
      return Foreground.exitStatus(List.of(service), "feedback", false, err);
    }
  }

  /** The message for a token file without an active token. */
  static String noTokens(Path file) {
    return "no active token in "
        + file
        + ": create one first with `lodestone feedback tokens add --annotator NAME --tokens "
        + file
        + "`";
  }

  /** {@code lodestone feedback tokens}. */
  @Command(
      name = "tokens",
      mixinStandardHelpOptions = true,
      subcommands = {Tokens.Add.class, Tokens.ListTokens.class, Tokens.Revoke.class},
      description = {
        "Create, list and revoke the annotators' bearer tokens. The file keeps only their SHA-256"
            + " hashes; a running service rereads it when it changes.",
        ""
      })
  static final class Tokens implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The token file option of each subcommand. */
    static final class FileOption {
      @Option(
          names = "--tokens",
          paramLabel = "FILE",
          defaultValue = FeedbackOptions.DEFAULT_TOKENS,
          description = "The token file (default: ${DEFAULT-VALUE}).")
      Path file;
    }

    @Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description = {
          "Create a token for an annotator (a person or an application) and print it once on"
              + " stdout; only its hash is stored.",
          ""
        })
    static final class Add implements Callable<Integer> {
      @Spec CommandSpec spec;
      @Mixin FileOption file;

      @Option(
          names = "--annotator",
          paramLabel = "NAME",
          required = true,
          description =
              "Whose token it is: the judgeId of the labels given with it (letters, digits, ._@-).")
      String annotator;

      @Override
      public Integer call() throws IOException {
        AnnotatorTokens tokens = AnnotatorTokens.read(file.file);
        AnnotatorTokens.Created created;
        try {
          created = tokens.add(annotator, Instant.now());
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        tokens.with(created.token()).write(file.file);
        spec.commandLine().getOut().println(created.secret());
        spec.commandLine().getOut().flush();
        spec.commandLine()
            .getErr()
            .println(
                "lodestone feedback tokens: token "
                    + created.token().id()
                    + " for "
                    + annotator
                    + " added to "
                    + file.file
                    + "; it is shown only now");
        spec.commandLine().getErr().flush();
        return 0;
      }
    }

    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = {
          "List the tokens (ids, annotators, when created and revoked), never the secrets.",
          ""
        })
    static final class ListTokens implements Callable<Integer> {
      @Spec CommandSpec spec;
      @Mixin FileOption file;

      @Option(names = "--json", description = "Print the list as JSON.")
      boolean json;

      @Override
      public Integer call() throws IOException {
        AnnotatorTokens tokens = AnnotatorTokens.read(file.file);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          List<Map<String, Object>> rows =
              tokens.tokens().stream()
                  .map(
                      t -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", t.id());
                        m.put("annotator", t.annotator());
                        m.put("created", t.created());
                        m.put("revoked", t.revoked());
                        return m;
                      })
                  .toList();
          out.println(new ObjectMapper().writeValueAsString(rows));
        } else {
          out.printf(
              Locale.ROOT, "%-12s %-24s %-28s %s%n", "ID", "ANNOTATOR", "CREATED", "REVOKED");
          for (AnnotatorTokens.Token t : tokens.tokens()) {
            out.printf(
                Locale.ROOT,
                "%-12s %-24s %-28s %s%n",
                t.id(),
                t.annotator(),
                t.created(),
                t.revoked() == null ? "-" : t.revoked());
          }
        }
        out.flush();
        return 0;
      }
    }

    @Command(
        name = "revoke",
        mixinStandardHelpOptions = true,
        description = {
          "Revoke a token by its id, or every active token of an annotator; a running service"
              + " refuses them at once.",
          ""
        })
    static final class Revoke implements Callable<Integer> {
      @Spec CommandSpec spec;
      @Mixin FileOption file;

      @Parameters(paramLabel = "ID|ANNOTATOR", description = "A token id (t-...) or an annotator.")
      String which;

      @Override
      public Integer call() throws IOException {
        AnnotatorTokens tokens = AnnotatorTokens.read(file.file);
        try {
          tokens.revoke(which, Instant.now()).write(file.file);
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        spec.commandLine().getErr().println("lodestone feedback tokens: revoked " + which);
        spec.commandLine().getErr().flush();
        return 0;
      }
    }
  }

  /** {@code lodestone feedback annotate}. */
  @Command(
      name = "annotate",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "A simulated annotator for game tasks: fetches items through the API and answers each with"
            + " a 0/1 verdict drawn from the game's preference (A with probability P(A over B)),"
            + " for tests, load and demonstrations. Ends one JSON line on stdout:"
            + " {\"answers\", \"refused\", \"seconds\", \"answersPerSecond\"}.",
        ""
      },
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {
        "0:answered --answers items, or stopped by Ctrl-C / SIGTERM",
        "1:the service failed a request or could not be reached",
        "2:invalid option"
      })
  static final class Annotate implements Callable<Integer> {
    /** The environment variable that may hold the token. */
    static final String TOKEN_ENV = "LODESTONE_FEEDBACK_TOKEN";

    @Spec CommandSpec spec;

    @Option(
        names = "--url",
        paramLabel = "URL",
        defaultValue = "http://127.0.0.1:" + FeedbackConfig.DEFAULT_PORT + "/",
        description = "The feedback service (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(
        names = "--token-file",
        paramLabel = "FILE",
        description =
            "A file holding the annotator's token (default: the environment variable "
                + TOKEN_ENV
                + "); tokens are not taken on the command line, where other users could see them.")
    Path tokenFile;

    @Option(
        names = "--answers",
        paramLabel = "N",
        description = "Stop after N answers (default: run until interrupted).")
    Long answers;

    @Option(
        names = "--seed",
        paramLabel = "S",
        defaultValue = "0",
        description = "Seeds the verdicts (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      String token;
      if (tokenFile != null) {
        token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
      } else {
        token = System.getenv(TOKEN_ENV);
        if (token == null || token.isBlank()) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "give the token with --token-file FILE or " + TOKEN_ENV);
        }
      }
      if (answers != null && answers < 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--answers must be at least 1, got " + answers);
      }
      String base = url.toString().endsWith("/") ? url.toString() : url + "/";
      ScriptedAnnotator annotator = new ScriptedAnnotator(URI.create(base), token.trim(), seed);
      long t0 = System.nanoTime();
      int status = 0;
      try (Signals signals = Signals.install("lodestone-annotate", Duration.ofSeconds(10))) {
        Thread progress =
            new Thread(
                () -> {
                  try {
                    while (true) {
                      Thread.sleep(10_000);
                      err.printf(
                          Locale.ROOT,
                          "lodestone feedback annotate: %d answers in %.0f s%n",
                          annotator.answers(),
                          (System.nanoTime() - t0) / 1e9);
                      err.flush();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "annotate-progress");
        progress.setDaemon(true);
        progress.start();
        try {
          annotator.run(
              answers == null ? Long.MAX_VALUE : answers,
              Duration.ofMillis(200),
              signals::signalled);
        } catch (IOException e) {
          err.println("lodestone feedback annotate: " + e.getMessage());
          err.flush();
          status = 1;
        } finally {
          progress.interrupt();
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("answers", annotator.answers());
      summary.put("refused", annotator.refused());
      summary.put("seconds", Math.round(seconds * 10) / 10.0);
      summary.put("answersPerSecond", Math.round(annotator.answers() / seconds * 10) / 10.0);
      spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(summary));
      spec.commandLine().getOut().flush();
      return status;
    }
  }
}
