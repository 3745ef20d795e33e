package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.learner.LearnerHyperparameters;
import org.junit.jupiter.api.Test;

/** Option errors of run, sampler, judge and learner: one line on stderr, exit status 2. */
class PipelineCommandsTest {

  private static void assertOneLineError(CliRun run, String command, String message) {
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(run.err()).startsWith("lodestone " + command + ": ").contains(message);
  }

  @Test
  void componentsShouldRequireACluster() {
    for (String command : new String[] {"sampler", "judge", "learner"}) {
      assertOneLineError(CliRun.of(command), command, "--bootstrap HOST:PORT is required");
      assertOneLineError(
          CliRun.of(command, "--bootstrap", "127.0.0.1:1"),
          command,
          "--registry URL is required with --bootstrap");
    }
  }

  @Test
  void shouldRejectBadClusterTaskAlgorithmAndModel() {
    assertOneLineError(
        CliRun.of("sampler", "--bootstrap", "nohostport", "--registry", "http://x:1"),
        "sampler",
        "bootstrapServers must be a comma-separated list of HOST:PORT");
    assertOneLineError(
        CliRun.of("judge", "--bootstrap", "h:1", "--registry", "http://x:1", "--task", "chess"),
        "judge",
        "unknown game 'chess'");
    assertOneLineError(
        CliRun.of("run", "--algo", "sgd"),
        "run",
        "--algo must be one of mpo, mpo-rt, omd, fixed-magnet, sppo, nash-md, online-dpo,"
            + " online-ipo, onpo, egpo, got 'sgd'");
    assertOneLineError(
        CliRun.of("run", "--algo", "sppo", "--max-log-ratio", "1"),
        "run",
        "--max-log-ratio does not apply to --algo sppo");
    assertOneLineError(
        CliRun.of("run", "--algo", "omd", "--alpha", "0.2"),
        "run",
        "--alpha does not apply to --algo omd");
    assertOneLineError(
        CliRun.of("run", "--algo", "nash-md", "--eta", "2", "--alpha", "0.6"),
        "run",
        "nash-md mixes pi_t and the magnet with weight eta * alpha, which must not exceed 1");
    assertOneLineError(
        CliRun.of("run", "--model", "huge"), "run", "--model must be tiny or default");
    assertOneLineError(
        CliRun.of("learner", "--bootstrap", "h:1", "--registry", "http://x:1", "--eta", "-1"),
        "learner",
        "eta");
    assertOneLineError(
        CliRun.of("learner", "--bootstrap", "h:1", "--registry", "http://x:1", "--minutes", "-1"),
        "learner",
        "--minutes must be >= 0, got -1.0");
    assertOneLineError(
        CliRun.of(
            "learner",
            "--bootstrap",
            "h:1",
            "--registry",
            "http://x:1",
            "--start-offset",
            "50",
            "--end-offset",
            "10"),
        "learner",
        "endOffset must be >= startOffset and >= 0, got 10");
    assertOneLineError(
        CliRun.of("replay", "--bootstrap", "h:1", "--registry", "http://x:1", "--from", "labeled"),
        "replay",
        "--model-id NEW is required");
    assertOneLineError(
        CliRun.of(
            "replay",
            "--bootstrap",
            "h:1",
            "--registry",
            "http://x:1",
            "--model-id",
            "m",
            "--from",
            "labeled:9..3"),
        "replay",
        "the range ends before it starts: 9..3");
    assertOneLineError(
        CliRun.of(
            "relabel",
            "--bootstrap",
            "h:1",
            "--registry",
            "http://x:1",
            "--from-time",
            "2026-12-07T06:00:00Z",
            "--judge",
            "llm",
            "--labels",
            "sampled"),
        "relabel",
        "--labels applies to --judge oracle only");
    assertOneLineError(
        CliRun.of(
            "import-trl",
            "x.jsonl",
            "--bootstrap",
            "h:1",
            "--registry",
            "http://x:1",
            "--to",
            "prompts",
            "--model",
            "tiny"),
        "import-trl",
        "--model applies to --to pairs only");
    // A bad learner option stops run before the warm-up and the stack: one line, nothing else.
    assertOneLineError(
        CliRun.of("run", "--cooldown", "1"), "run", "cooldown must be in [0, 1) (0: off), got 1.0");
  }

  @Test
  void runShouldTakeMinutesOrStepsNotBoth() {
    CliRun run = CliRun.of("run", "--minutes", "1", "--steps", "10");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("mutually exclusive");
    assertOneLineError(CliRun.of("run", "--steps", "0"), "run", "--steps must be at least 1");
    assertOneLineError(CliRun.of("run", "--samplers", "0"), "run", "--samplers must be at least 1");
    assertOneLineError(
        CliRun.of("run", "--labels", "soft"),
        "run",
        "Invalid value for option '--labels': labels must be one of exact, sampled, got 'soft'");
    assertOneLineError(
        CliRun.of("run", "--registry", "http://127.0.0.1:1"),
        "run",
        "--bootstrap HOST:PORT is required");
  }

  @Test
  void judgeOptionsShouldFitTheKindOfJudge() {
    String[] cluster = {"--bootstrap", "h:1", "--registry", "http://x:1"};
    assertOneLineError(
        CliRun.of("run", "--base-url", "http://127.0.0.1:1/v1"),
        "run",
        "[--base-url] apply to --judge llm only; the judges are game oracles");
    assertOneLineError(CliRun.of("run", "--judge", "llm"), "run", "an LLM judge needs --base-url");
    assertOneLineError(
        CliRun.of(
            "run", "--judge", "llm", "--base-url", "http://127.0.0.1:1/v1", "--labels", "sampled"),
        "run",
        "--labels applies to --judge oracle only");
    assertOneLineError(
        CliRun.of("run", "--judge", "llm", "--base-url", "ftp://h/v1"),
        "run",
        "the judge's base URL must be an http:// or https:// URL, got 'ftp://h/v1'");
    assertOneLineError(
        CliRun.of("run", "--judge", "llm", "--base-url", "http://h/v1", "--template", "/no/such"),
        "run",
        "--template: no such file: /no/such");
    assertOneLineError(
        CliRun.of("run", "--judge", "robot"), "run", "--judge must be oracle, llm or human");
    assertOneLineError(
        CliRun.of("run", "--quorum", "2"), "run", "[--quorum] apply to --judge human only");
    assertOneLineError(
        CliRun.of("run", "--judge", "human", "--tokens", "/no/such/tokens.json"),
        "run",
        "no active token in /no/such/tokens.json: create one first with `lodestone feedback"
            + " tokens add");
    assertOneLineError(
        CliRun.of("run", "--judge", "human", "--judges", "2"),
        "run",
        "--judges must be 1 with --judge human");
    assertOneLineError(
        CliRun.of("run", "--judge", "human", "--labels", "sampled"),
        "run",
        "--labels applies to --judge oracle only; people answer with verdicts");
    assertOneLineError(
        CliRun.of(concat(cluster, "feedback", "--tokens", "/no/such/tokens.json")),
        "feedback",
        "no active token in /no/such/tokens.json");
    assertOneLineError(
        CliRun.of("feedback", "tokens", "add", "--annotator", "a b", "--tokens", "/tmp/x.json"),
        "feedback tokens add",
        "an annotator's name must be 1-64 of letters, digits and ._@-, got 'a b'");
    assertOneLineError(
        CliRun.of("feedback", "annotate", "--answers", "0", "--token-file", "/dev/null"),
        "feedback annotate",
        "--answers must be at least 1, got 0");
    assertOneLineError(
        CliRun.of(concat(cluster, "judge", "--kind", "oracle", "--judge-model", "m")),
        "judge",
        "[--judge-model] apply to --kind llm only");
    assertOneLineError(
        CliRun.of(
            concat(cluster, "judge", "--kind", "llm", "--base-url", "http://h/v1", "--seed", "3")),
        "judge",
        "--seed applies to --kind oracle only");
    assertOneLineError(
        CliRun.of(concat(cluster, "judge", "--aggregate", "median")),
        "judge",
        "aggregation must be mean, majority or weighted:KIND=W,..., got 'median'");
    assertOneLineError(
        CliRun.of(
            concat(
                cluster,
                "judge",
                "--kind",
                "llm",
                "--base-url",
                "http://h/v1",
                "--concurrency",
                "0")),
        "judge",
        "concurrency must be in [1, 1024], got 0");
  }

  @Test
  void exportAndImportShouldRejectBadOptionsInOneLine() {
    String[] cluster = {"--bootstrap", "h:1", "--registry", "http://x:1"};
    assertOneLineError(
        CliRun.of(concat(cluster, "export", "--topic", "nope", "--out", "f.avro")),
        "export",
        "unknown topic 'nope'; topics: [prompts, samples, labels, feedback, labeled,");
    assertOneLineError(
        CliRun.of(concat(cluster, "export", "--topic", "samples", "--format", "xml", "--out", "f")),
        "export",
        "--format must be avro, jsonl, trl or trl-conversational, got 'xml'");
    assertOneLineError(
        CliRun.of(
            concat(
                cluster, "export", "--topic", "labeled", "--from-time", "yesterday", "--out", "f")),
        "export",
        "--from-time must be an ISO-8601 instant");
    assertOneLineError(
        CliRun.of(
            concat(
                cluster,
                "export",
                "--topic",
                "labeled",
                "--from-offset",
                "1",
                "--from-time",
                "2026-12-07T10:00:00Z",
                "--out",
                "f")),
        "export",
        "give a start offset or a start time, not both");
    assertOneLineError(
        CliRun.of(concat(cluster, "import", "/no/such.avro", "--topic", "samples")),
        "import",
        "no such file: /no/such.avro");
  }

  private static String[] concat(String[] cluster, String command, String... rest) {
    String[] all = new String[1 + cluster.length + rest.length];
    all[0] = command;
    System.arraycopy(cluster, 0, all, 1, cluster.length);
    System.arraycopy(rest, 0, all, 1 + cluster.length, rest.length);
    return all;
  }

  @Test
  void helpShouldListEveryComponentAndTheLearnerDefaults() {
    CliRun top = CliRun.of("--help");
    assertThat(top.out()).contains("run", "sampler", "judge", "learner");
    CliRun learner = CliRun.of("learner", "--help");
    assertThat(learner.exitCode()).isZero();
    assertThat(learner.out())
        .contains(
            "--batch-groups=N",
            "groups per learner step (default: "
                + LearnerHyperparameters.DEFAULT_BATCH_GROUPS
                + ")",
            "--magnet-every",
            "--lr=RATE",
            "--[no-]opponent-correction",
            "--minutes=M");
    assertThat(learner.out().replaceAll("\\s+", " "))
        .contains("never cools down (default: " + LearnerHyperparameters.DEFAULT_COOLDOWN + ")");
  }
}
