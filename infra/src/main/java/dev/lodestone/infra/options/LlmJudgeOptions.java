package dev.lodestone.infra.options;

import dev.lodestone.judge.llm.LlmJudgeConfig;
import dev.lodestone.judge.llm.PairwiseTemplate;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of an LLM judge ({@code lodestone judge --kind llm}, {@code lodestone run --judge
 * llm}). Every option but {@code --base-url} has a default; none of them applies to the game
 * oracle, and giving one with it is an error.
 */
public final class LlmJudgeOptions {

  /** The environment variable the API key is read from unless {@code --api-key-env} names one. */
  public static final String DEFAULT_API_KEY_ENV = "OPENAI_API_KEY";

  /** The model name sent unless {@code --judge-model} is given. */
  public static final String DEFAULT_MODEL = "default";

  @Option(
      names = "--base-url",
      paramLabel = "URL",
      description =
          "LLM judge: the OpenAI-compatible API's base URL, e.g. http://127.0.0.1:8000/v1 (vLLM,"
              + " llama.cpp, Ollama, OpenAI).")
  public URI baseUrl;

  @Option(
      names = "--judge-model",
      paramLabel = "NAME",
      description =
          "LLM judge: the model name sent with each request (default: "
              + DEFAULT_MODEL
              + "; vLLM and OpenAI need the served name).")
  public String model;

  @Option(
      names = "--api-key-env",
      paramLabel = "VAR",
      description =
          "LLM judge: the environment variable holding the API key (default: "
              + DEFAULT_API_KEY_ENV
              + "; when it is unset, no key is sent). The key is never logged.")
  public String apiKeyEnv;

  @Option(
      names = "--template",
      paramLabel = "FILE",
      description =
          "LLM judge: the pairwise prompt, a UTF-8 file with {prompt}, {response_a} and"
              + " {response_b}; it must ask for one letter, A or B (default: the built-in"
              + " template, docs/design.md \"Judges\").")
  public Path template;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      description =
          "LLM judge: most calls in flight per judge instance (default: "
              + LlmJudgeConfig.DEFAULT_CONCURRENCY
              + ").")
  public Integer concurrency;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description =
          "LLM judge: the limit of one call (default: "
              + LlmJudgeConfig.DEFAULT_TIMEOUT_SECONDS
              + ").")
  public Double timeoutSeconds;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      description =
          "LLM judge: attempts per call, the first included, with exponential backoff and jitter"
              + " between them; a group whose calls still fail goes to dead-letters (default: "
              + LlmJudgeConfig.DEFAULT_MAX_ATTEMPTS
              + ").")
  public Integer maxAttempts;

  @Option(
      names = "--no-logprobs",
      description =
          "LLM judge: do not ask for log-probabilities; every answer is then a 0/1 verdict"
              + " (default: ask, and use them where the server returns them).")
  public boolean noLogprobs;

  @Option(
      names = "--llm-judge-id",
      paramLabel = "ID",
      description = "LLM judge: the judge id written into its labels (default: llm:JUDGE_MODEL).")
  public String judgeId;

  /** The options given on the command line, by name. */
  public List<String> given() {
    List<String> names = new ArrayList<>();
    Map<String, Object> values = new java.util.LinkedHashMap<>();
    values.put("--base-url", baseUrl);
    values.put("--judge-model", model);
    values.put("--api-key-env", apiKeyEnv);
    values.put("--template", template);
    values.put("--concurrency", concurrency);
    values.put("--timeout", timeoutSeconds);
    values.put("--max-attempts", maxAttempts);
    values.put("--no-logprobs", noLogprobs ? Boolean.TRUE : null);
    values.put("--llm-judge-id", judgeId);
    values.forEach(
        (name, value) -> {
          if (value != null) {
            names.add(name);
          }
        });
    return names;
  }

  /**
   * The judge's configuration.
   *
   * @param environment where the API key variable is looked up
   * @throws IllegalArgumentException for a missing {@code --base-url} or a bad value
   * @throws IOException when the template cannot be read
   */
  public LlmJudgeConfig config(
      ClusterConfig cluster,
      String task,
      String applicationId,
      String instanceId,
      Map<String, String> environment)
      throws IOException {
    if (baseUrl == null) {
      throw new IllegalArgumentException("an LLM judge needs --base-url");
    }
    String name = model == null ? DEFAULT_MODEL : model;
    String key = environment.getOrDefault(apiKeyEnv == null ? DEFAULT_API_KEY_ENV : apiKeyEnv, "");
    if (timeoutSeconds != null && !(timeoutSeconds > 0)) {
      throw new IllegalArgumentException("--timeout must be positive, got " + timeoutSeconds);
    }
    LlmJudgeConfig base =
        LlmJudgeConfig.of(cluster, baseUrl, name, key, task, applicationId, instanceId);
    return base.withCalls(
            concurrency == null ? base.concurrency() : concurrency,
            timeoutSeconds == null
                ? base.timeout()
                : Duration.ofMillis(Math.round(timeoutSeconds * 1000)),
            maxAttempts == null ? base.maxAttempts() : maxAttempts,
            base.initialBackoff())
        .withPrompting(
            template == null ? PairwiseTemplate.DEFAULT : PairwiseTemplate.read(template),
            judgeId == null ? base.judgeId() : judgeId,
            !noLogprobs);
  }
}
