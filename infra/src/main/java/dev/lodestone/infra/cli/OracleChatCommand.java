package dev.lodestone.infra.cli;

import dev.lodestone.games.InvalidGameException;
import dev.lodestone.infra.options.TaskOptions;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.judge.llm.OracleChatServer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lodestone oracle-chat}: the game oracle behind an OpenAI-compatible chat-completions API
 * on loopback ({@link OracleChatServer}), so that an LLM judge can be run and measured against a
 * judge whose answers are known.
 */
@Command(
    name = "oracle-chat",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Serve a task's game oracle as an OpenAI-compatible chat-completions API on 127.0.0.1, a"
          + " language model whose taste is the game: it answers the letter of the better"
          + " response of a message written with the default judge template, with the"
          + " log-probabilities of A and B when asked (or a verdict drawn from them). It prints"
          + " the base URL for --base-url and runs until interrupted.",
      ""
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "130/143:stopped after Ctrl-C / SIGTERM",
      "1:could not listen",
      "2:invalid option"
    })
public final class OracleChatCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin TaskOptions taskOptions;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "0",
      description = "The port on 127.0.0.1, 0 for a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--no-logprobs",
      description =
          "Never return log-probabilities: every answer is a verdict drawn from the game's"
              + " probability (default: return them when a request asks).")
  boolean noLogprobs;

  @Option(
      names = "--always-a",
      description =
          "Answer \"A\" to everything: a judge with pure position bias (default: answer by the"
              + " game).")
  boolean alwaysA;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "0",
      description = "Seeds the drawn verdicts (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (port < 0 || port > 65_535) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--port must be between 0 and 65535, got " + port);
    }
    TaskSetup setup;
    try {
      setup = taskOptions.setup();
    } catch (InvalidGameException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    OracleChatServer server;
    try {
      server =
          new OracleChatServer(
              setup.game()::judge,
              !noLogprobs,
              seed,
              alwaysA ? OracleChatServer.Answers.ALWAYS_A : OracleChatServer.Answers.PREFERENCE,
              OracleChatServer.Faults.NONE,
              port);
    } catch (RuntimeException e) {
      err.println("lodestone oracle-chat: could not listen on 127.0.0.1:" + port + ": " + e);
      err.flush();
      return 1;
    }
    try (Signals signals = Signals.install("lodestone-oracle-chat", Duration.ofSeconds(10));
        server) {
      out.println("Base URL: " + server.baseUrl());
      out.flush();
      err.println(
          "lodestone oracle-chat: answering for "
              + setup.spec()
              + (alwaysA ? " (always A)" : noLogprobs ? " (verdicts only)" : "")
              + " until interrupted");
      err.flush();
      while (!signals.sleep(1000)) {
        // serving
      }
      err.println("lodestone oracle-chat: stopping after " + server.requests() + " requests");
      err.flush();
      return 130;
    }
  }
}
