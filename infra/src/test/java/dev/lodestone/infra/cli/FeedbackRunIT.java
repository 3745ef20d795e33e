package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.chaos.ChaosStack;
import dev.lodestone.judge.human.AnnotatorTokens;
import dev.lodestone.judge.human.ScriptedAnnotator;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lodestone run --judge human} end to end: two simulated annotators answer through the API
 * with 0/1 verdicts drawn from perturbed rock-paper-scissors, and the policy's exploitability falls
 * from the warm-up policy's.
 */
@Tag("integration")
class FeedbackRunIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static LocalStack stack;

  @TempDir Path dir;

  @BeforeAll
  static void startStack() {
    stack = new LocalStack(LocalStackConfig.ephemeral());
    stack.start(LocalStack.DEFAULT_START_TIMEOUT);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void shouldMoveThePolicyTowardTheEquilibriumOnHumanLabels() throws Exception {
    Path tokens = dir.resolve("tokens.json");
    AnnotatorTokens file = AnnotatorTokens.read(tokens);
    List<String> secrets = new ArrayList<>();
    for (String a : List.of("sim-1", "sim-2")) {
      AnnotatorTokens.Created c = file.add(a, Instant.now());
      file = file.with(c.token());
      secrets.add(c.secret());
    }
    file.write(tokens);
    int port = ChaosStack.freePort();
    AtomicBoolean done = new AtomicBoolean();
    List<ScriptedAnnotator> annotators = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < secrets.size(); k++) {
      ScriptedAnnotator a =
          new ScriptedAnnotator(URI.create("http://127.0.0.1:" + port + "/"), secrets.get(k), k);
      annotators.add(a);
      Thread t =
          new Thread(
              () -> {
                while (!done.get()) {
                  try {
                    a.run(Long.MAX_VALUE, Duration.ofMillis(50), done::get);
                  } catch (IOException e) {
                    sleep(); // the service is not up yet, or is stopping
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      t.start();
      threads.add(t);
    }
    Path report = dir.resolve("report");
    CliRun run;
    try {
      run =
          CliRun.of(
              "run",
              "--bootstrap",
              stack.bootstrapServers(),
              "--registry",
              stack.registryUrl(),
              "--model",
              "tiny",
              "--model-id",
              "it-human",
              "--warmup-cache",
              dir.resolve("warmup").toString(),
              "--task",
              "perturbed-rps",
              "--judge",
              "human",
              "--tokens",
              tokens.toString(),
              "--feedback-port",
              Integer.toString(port),
              "--rate-limit",
              "1000",
              "--steps",
              "60",
              "--batch-groups",
              "4",
              "--publish-every",
              "2",
              "--eval-interval",
              "0",
              "--report",
              report.toString(),
              "--json");
    } finally {
      done.set(true);
      for (Thread t : threads) {
        t.join(30_000);
      }
    }
    assertThat(run.exitCode()).as("stderr:\n%s", run.err()).isZero();
    assertThat(run.err()).contains("the labelling page is at http://127.0.0.1:" + port + "/");
    String[] lines = run.out().strip().split("\n");
    JsonNode summary = JSON.readTree(lines[lines.length - 1]);
    assertThat(summary.get("steps").asLong()).isEqualTo(60);
    List<String> rows = Files.readAllLines(report.resolve("evaluations.csv"));
    int column = List.of(rows.get(0).split(",")).indexOf("exploitability");
    double before = Double.parseDouble(rows.get(1).split(",")[column]);
    double after = summary.get("exploitability").asDouble();
    assertThat(after).as("exploitability after 60 steps, from %s", before).isLessThan(before);
    JsonNode details = JSON.readTree(report.resolve("summary.json").toFile()).get("details");
    assertThat(details.get("judge").asText()).isEqualTo("human");
    // every confirmed answer is a label; an answer committed as the run stopped may have lost its
    // reply on the way to its annotator (at most one per annotator)
    long confirmed = annotators.stream().mapToLong(ScriptedAnnotator::answers).sum();
    assertThat(details.get("humanLabels").asLong())
        .isBetween(confirmed, confirmed + annotators.size());
  }

  private static void sleep() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
