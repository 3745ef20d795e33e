package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void initWritesACheckpointThatInfoDescribes() throws Exception {
    Path m = dir.resolve("qwen");
    CliRun init =
        CliRun.of("model", "init", "--out", m.toString(), "--arch", "qwen2", "--dtype", "BF16");
    assertThat(init.exitCode()).as(init.err()).isZero();
    assertThat(init.out()).contains("Qwen2ForCausalLM");

    CliRun info = CliRun.of("model", "info", "--model", "hf:" + m, "--json");
    assertThat(info.exitCode()).as(info.err()).isZero();
    JsonNode j = JSON.readTree(info.out());
    assertThat(j.get("architecture").asText()).isEqualTo("Qwen2ForCausalLM");
    assertThat(j.get("layers").asInt()).isEqualTo(2);
    assertThat(j.get("hiddenSize").asInt()).isEqualTo(64);
    assertThat(j.get("kvHeads").asInt()).isEqualTo(2);
    assertThat(j.get("intermediateSize").asInt()).isEqualTo(128);
    assertThat(j.get("configDtype").asText()).isEqualTo("bfloat16");
    assertThat(j.get("storedDtypes").get("BF16").asInt())
        .isEqualTo(1 + 2 * 12 + 2); // embedding, 12 per layer, norm, head
    assertThat(j.get("storedBytes").asLong()).isEqualTo(2 * j.get("parameters").asLong());
    assertThat(j.get("tokenizer").asBoolean()).isTrue();

    CliRun text = CliRun.of("model", "info", "--model", "hf:" + m);
    assertThat(text.out()).contains("2 layers, hidden 64, 4 heads of width 16 (2 key/value)");
  }

  @Test
  void scorePrintsTokensAndLogProbsThatAreCausal() throws Exception {
    Path m = dir.resolve("llama");
    assertThat(CliRun.of("model", "init", "--out", m.toString()).exitCode()).isZero();
    JsonNode whole = score(m, "rock paper scissors, slowly");
    JsonNode prefix = score(m, "rock paper scissors,");
    // rock, " paper", " scissors" are merged words; then ",", " slow" and "l", "y".
    assertThat(prefix.get("tokens")).hasSize(4);
    assertThat(whole.get("tokens")).hasSize(7);
    assertThat(whole.get("logProbs").get(0).isNull()).isTrue();
    assertThat(whole.get("tokens").size()).isEqualTo(whole.get("logProbs").size());
    // A token's log-probability depends only on the tokens before it.
    for (int k = 0; k < prefix.get("tokens").size(); k++) {
      assertThat(whole.get("tokens").get(k)).isEqualTo(prefix.get("tokens").get(k));
      if (k > 0) {
        assertThat(whole.get("logProbs").get(k).asDouble())
            .isCloseTo(prefix.get("logProbs").get(k).asDouble(), offset(1e-5));
        assertThat(whole.get("logProbs").get(k).asDouble()).isNegative();
      }
    }
  }

  @Test
  void generateDrawsAReproducibleResponse() throws Exception {
    Path m = dir.resolve("gen");
    assertThat(CliRun.of("model", "init", "--out", m.toString(), "--arch", "gpt2").exitCode())
        .isZero();
    String[] args = {
      "model",
      "generate",
      "--model",
      "hf:" + m,
      "--prompt",
      "rock",
      "--max-tokens",
      "6",
      "--seed",
      "4",
      "--json"
    };
    CliRun a = CliRun.of(args);
    assertThat(a.exitCode()).as(a.err()).isZero();
    JsonNode g = JSON.readTree(a.out());
    assertThat(JSON.readTree(CliRun.of(args).out())).isEqualTo(g);
    int n = g.get("tokens").size();
    assertThat(n).isBetween(1, 6);
    assertThat(g.get("finished").asBoolean()).isEqualTo(n < 6);
    assertThat(g.get("promptTokens")).hasSize(1); // "rock" is one merged token
    assertThat(g.get("logProbs")).hasSize(n);
    g.get("logProbs").forEach(lp -> assertThat(lp.asDouble()).isNegative());
    // (HfCausalLmTest checks the log-probabilities against scoring; a random model's bytes need
    // not survive decoding and re-tokenizing, so the text is not scored again here.)
    CliRun other = CliRun.of(Arrays.copyOf(args, args.length - 1));
    assertThat(other.out()).contains("tokens, ");
    CliRun noTemplate =
        CliRun.of("model", "generate", "--model", "hf:" + m, "--prompt", "x", "--chat");
    assertThat(noTemplate.exitCode()).isEqualTo(2);
    assertThat(noTemplate.err()).contains("tokenizer_config.json has no chat_template");
    // A ChatML template: the rendered prompt is what is tokenized (its <|endoftext|> is the
    // tokenizer's special token, matched inside the text).
    JSON.writeValue(
        m.resolve("tokenizer_config.json").toFile(),
        JSON.createObjectNode()
            .put(
                "chat_template",
                "{% for message in messages %}{{ message['role'] + ': ' + message['content'] +"
                    + " eos_token }}{% endfor %}{% if add_generation_prompt %}{{ 'assistant:'"
                    + " }}{% endif %}")
            .put("eos_token", "<|endoftext|>"));
    CliRun chat =
        CliRun.of(
            "model",
            "generate",
            "--model",
            "hf:" + m,
            "--prompt",
            "rock",
            "--chat",
            "--json",
            "--max-tokens",
            "2");
    assertThat(chat.exitCode()).as(chat.err()).isZero();
    JsonNode c = JSON.readTree(chat.out());
    assertThat(c.get("promptText").asText()).isEqualTo("user: rock<|endoftext|>assistant:");
    // u, s, e, r, ":", " rock", <|endoftext|>: the special token is one token.
    assertThat(c.get("promptTokens").get(6).asInt()).isEqualTo(291);
    CliRun bad =
        CliRun.of("model", "generate", "--model", "hf:" + m, "--prompt", "x", "--top-p", "0");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("topP must be in (0, 1]");
  }

  @Test
  void badCheckpointsAndOptionsAreOneLineErrors() throws Exception {
    CliRun notHf = CliRun.of("model", "info", "--model", dir.toString());
    assertThat(notHf.exitCode()).isEqualTo(2);
    assertThat(notHf.err()).contains("--model must be hf:PATH");

    CliRun empty = CliRun.of("model", "info", "--model", "hf:" + dir);
    assertThat(empty.exitCode()).isEqualTo(2);
    assertThat(empty.err().strip())
        .contains(dir.resolve("config.json") + ": missing")
        .doesNotContain("\n");

    Path m = dir.resolve("m");
    assertThat(CliRun.of("model", "init", "--out", m.toString()).exitCode()).isZero();
    Files.delete(m.resolve("tokenizer.json"));
    CliRun noTokenizer = CliRun.of("model", "score", "--model", "hf:" + m, "--text", "rock");
    assertThat(noTokenizer.exitCode()).isEqualTo(2);
    assertThat(noTokenizer.err()).contains("tokenizer.json: missing");

    CliRun badDevice =
        CliRun.of("model", "score", "--model", "hf:" + m, "--text", "rock", "--device", "tpu");
    assertThat(badDevice.exitCode()).isEqualTo(2);
    assertThat(badDevice.err()).contains("--device: device must be cpu, gpu or gpu:N");

    CliRun again = CliRun.of("model", "init", "--out", m.toString());
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains("already holds a checkpoint");

    CliRun badHeads =
        CliRun.of("model", "init", "--out", dir.resolve("x").toString(), "--kv-heads", "3");
    assertThat(badHeads.exitCode()).isEqualTo(2);
    assertThat(badHeads.err()).contains("not a multiple of num_key_value_heads 3");
    assertThat(dir.resolve("x")).doesNotExist();
  }

  private static JsonNode score(Path m, String text) throws Exception {
    CliRun run = CliRun.of("model", "score", "--model", "hf:" + m, "--text", text, "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    return JSON.readTree(run.out().strip().lines().reduce((a, b) -> b).orElseThrow());
  }
}
