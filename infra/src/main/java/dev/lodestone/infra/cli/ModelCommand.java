package dev.lodestone.infra.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.options.DeviceOption;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.SamplingParams;
import dev.lodestone.policy.hf.CheckpointFormatException;
import dev.lodestone.policy.hf.HfCausalLm;
import dev.lodestone.policy.hf.HfChatTemplate;
import dev.lodestone.policy.hf.HfCheckpoint;
import dev.lodestone.policy.hf.HfConfig;
import dev.lodestone.policy.hf.HfTokenizer;
import dev.lodestone.policy.hf.RandomCheckpoint;
import dev.lodestone.policy.hf.Safetensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lodestone model info|score|init}: looks inside a Hugging Face checkpoint (docs/models.md).
 * {@code info} prints the architecture, sizes and dtypes; {@code score} tokenizes a text with the
 * checkpoint's tokenizer exactly as given and prints each token's log-probability, so that a loaded
 * checkpoint can be checked against another stack; {@code init} writes a small checkpoint with
 * random weights.
 */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description =
        "Look inside a Hugging Face checkpoint (info, score, generate) or write a random one"
            + " (init).",
    subcommands = {
      ModelCommand.Info.class,
      ModelCommand.Score.class,
      ModelCommand.Generate.class,
      ModelCommand.Init.class
    })
public final class ModelCommand implements Runnable {

  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code --model hf:PATH}. */
  static final class ModelOption {
    @Option(
        names = "--model",
        required = true,
        paramLabel = "hf:PATH",
        description =
            "A Hugging Face model directory (config.json, model.safetensors or sharded"
                + " safetensors with model.safetensors.index.json, tokenizer.json), as"
                + " huggingface-cli download leaves it.")
    String model;

    Path path(CommandLine cmd) {
      if (!model.startsWith("hf:") || model.length() == 3) {
        throw new CommandLine.ParameterException(
            cmd, "--model must be hf:PATH (a Hugging Face model directory), got '" + model + "'");
      }
      return Path.of(model.substring(3));
    }

    HfCheckpoint open(CommandLine cmd) throws IOException {
      try {
        return HfCheckpoint.open(path(cmd));
      } catch (CheckpointFormatException e) {
        throw new CommandLine.ParameterException(cmd, e.getMessage());
      }
    }
  }

  /** The device of {@code --device}, a bad or unavailable one as a usage error. */
  static Device device(CommandLine cmd, DeviceOption option) {
    try {
      return Engines.device(option.device);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, "--device: " + e.getMessage());
    }
  }

  /** The checkpoint's tokenizer, a refusal as a usage error. */
  static HfTokenizer tokenizer(CommandLine cmd, HfCheckpoint c) throws IOException {
    try {
      return HfTokenizer.of(c);
    } catch (CheckpointFormatException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
  }

  /** {@code lodestone model info}. */
  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description = "Print a checkpoint's architecture, sizes and dtypes.",
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {"0:printed", "1:a file could not be read", "2:invalid option or checkpoint"})
  static final class Info implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ModelOption model;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws IOException {
      HfCheckpoint c = model.open(spec.commandLine());
      HfConfig h = c.config();
      PrintWriter out = spec.commandLine().getOut();
      List<String> files = new ArrayList<>();
      c.weightFiles().forEach(p -> files.add(p.getFileName().toString()));
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", c.dir().toString());
        m.put("architecture", h.architecture());
        m.put("modelType", h.modelType());
        m.put("family", h.family().name().toLowerCase(Locale.ROOT));
        m.put("layers", h.layers());
        m.put("hiddenSize", h.hiddenSize());
        m.put("heads", h.heads());
        m.put("kvHeads", h.kvHeads());
        m.put("headDim", h.headDim());
        m.put("intermediateSize", h.intermediateSize());
        m.put("vocabSize", h.vocabSize());
        m.put("maxPositions", h.maxPositions());
        m.put("tieEmbeddings", h.tieEmbeddings());
        m.put("parameters", h.parameterCount());
        m.put("configDtype", h.torchDtype());
        m.put("storedDtypes", c.dtypes());
        m.put("storedBytes", c.storedBytes());
        m.put("weightFiles", files);
        m.put("ropeTheta", h.ropeTheta());
        m.put("ropeScaling", h.ropeScaling().type());
        m.put("tokenizer", c.tokenizerFile().isPresent());
        m.put("generationConfig", c.generationConfig().isPresent());
        out.println(JSON.writeValueAsString(m));
      } else {
        out.printf("%s: %s (%s)%n", c.dir(), h.architecture(), h.modelType());
        out.printf(
            "  %d layers, hidden %d, %d heads of width %d (%d key/value), MLP %d, vocabulary %d,"
                + " context %d%n",
            h.layers(),
            h.hiddenSize(),
            h.heads(),
            h.headDim(),
            h.kvHeads(),
            h.intermediateSize(),
            h.vocabSize(),
            h.maxPositions());
        out.printf(
            "  %,d parameters, embeddings %s; stored as %s, %,d bytes in %s%n",
            h.parameterCount(),
            h.tieEmbeddings() ? "tied" : "untied",
            c.dtypes(),
            c.storedBytes(),
            String.join(", ", files));
        if (h.family() == HfConfig.Family.LLAMA) {
          out.printf(
              "  rotary theta %s, scaling %s%s%n",
              h.ropeTheta(),
              h.ropeScaling().type(),
              h.slidingWindow() > 0 ? ", sliding window " + h.slidingWindow() : "");
        }
        out.printf(
            "  tokenizer.json %s, generation_config.json %s%n",
            c.tokenizerFile().isPresent() ? "present" : "missing",
            c.generationConfig().isPresent() ? "present" : "missing");
      }
      out.flush();
      return 0;
    }
  }

  /** {@code lodestone model score}. */
  @Command(
      name = "score",
      mixinStandardHelpOptions = true,
      description = {
        "Tokenize TEXT with the checkpoint's tokenizer exactly as given (no template, no special"
            + " tokens added) and print each token's log-probability given the tokens before it.",
        "--json prints {\"tokens\": [ids], \"logProbs\": [null, lp_1, ..., lp_n]}."
      },
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {"0:printed", "1:a file could not be read", "2:invalid option or checkpoint"})
  static final class Score implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ModelOption model;

    @Mixin DeviceOption deviceOption;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "the text")
    String text;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws IOException {
      CommandLine cmd = spec.commandLine();
      HfCheckpoint c = model.open(cmd);
      Device device = device(cmd, deviceOption);
      long[] ids;
      String[] pieces;
      try (HfTokenizer tokenizer = tokenizer(cmd, c)) {
        HfTokenizer.Encoded encoded = tokenizer.encodeWithTokens(text);
        ids = encoded.ids();
        pieces = encoded.tokens();
      }
      if (ids.length == 0) {
        throw new CommandLine.ParameterException(cmd, "--text gives no tokens");
      }
      if (ids.length > c.config().maxPositions()) {
        throw new CommandLine.ParameterException(
            cmd,
            "--text is "
                + ids.length
                + " tokens, longer than the model's context of "
                + c.config().maxPositions());
      }
      Double[] logProbs = new Double[ids.length];
      try (HfCausalLm lm = HfCausalLm.load(c, device)) {
        float[][] next = lm.logProbs(ids);
        for (int k = 1; k < ids.length; k++) {
          logProbs[k] = (double) next[k - 1][(int) ids[k]];
        }
      }
      PrintWriter out = cmd.getOut();
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tokens", ids);
        m.put("logProbs", logProbs);
        out.println(JSON.writeValueAsString(m));
      } else {
        double total = 0;
        out.printf("%5s %8s  %-16s %s%n", "pos", "id", "token", "log p");
        for (int k = 0; k < ids.length; k++) {
          out.printf(
              "%5d %8d  %-16s %s%n",
              k,
              ids[k],
              JSON.writeValueAsString(pieces[k]),
              logProbs[k] == null ? "(first)" : String.format(Locale.ROOT, "%.6f", logProbs[k]));
          total += logProbs[k] == null ? 0 : logProbs[k];
        }
        out.printf(Locale.ROOT, "sum over tokens 2..%d: %.6f%n", ids.length, total);
      }
      out.flush();
      return 0;
    }
  }

  /** {@code lodestone model generate}. */
  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Sample a response to PROMPT, tokenized exactly as given (no special tokens added; with"
            + " --chat, after the checkpoint's chat template has rendered it), with the key/value cache, until the checkpoint's end-of-sequence"
            + " token (generation_config.json's eos_token_id, else config.json's), --max-tokens or"
            + " the end of the context."
      },
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {"0:printed", "1:a file could not be read", "2:invalid option or checkpoint"})
  static final class Generate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ModelOption model;

    @Mixin DeviceOption deviceOption;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "the prompt")
    String prompt;

    @Option(
        names = "--chat",
        description =
            "render the prompt as one user message through the checkpoint's chat template"
                + " (tokenizer_config.json's chat_template, with the assistant's header added)"
                + " before tokenizing it")
    boolean chat;

    @Option(
        names = "--max-tokens",
        defaultValue = "32",
        paramLabel = "N",
        description = "the most tokens to draw (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(
        names = "--temperature",
        defaultValue = "1",
        paramLabel = "T",
        description = "divides the logits; 0 is greedy (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(
        names = "--top-p",
        defaultValue = "1",
        paramLabel = "P",
        description = "nucleus sampling mass in (0, 1] (default: ${DEFAULT-VALUE})")
    double topP;

    @Option(
        names = "--seed",
        defaultValue = "1",
        paramLabel = "S",
        description = "the sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws IOException {
      CommandLine cmd = spec.commandLine();
      SamplingParams params;
      try {
        params = new SamplingParams(temperature, topP, maxTokens, true);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cmd, e.getMessage());
      }
      HfCheckpoint c = model.open(cmd);
      Device device = device(cmd, deviceOption);
      try (HfTokenizer tokenizer = tokenizer(cmd, c);
          HfCausalLm lm = HfCausalLm.load(c, device)) {
        String text = prompt;
        if (chat) {
          HfChatTemplate template =
              HfChatTemplate.of(c.dir())
                  .orElseThrow(
                      () ->
                          new CommandLine.ParameterException(
                              cmd,
                              "--chat: "
                                  + c.dir().resolve(HfChatTemplate.TOKENIZER_CONFIG)
                                  + " has no chat_template"));
          try {
            text = template.render(List.of(new HfChatTemplate.Message("user", prompt)), true);
          } catch (CheckpointFormatException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
          }
        }
        long[] ids = tokenizer.encode(text);
        if (ids.length == 0 || ids.length >= c.config().maxPositions()) {
          throw new CommandLine.ParameterException(
              cmd,
              "--prompt must give 1 to "
                  + (c.config().maxPositions() - 1)
                  + " tokens, got "
                  + ids.length);
        }
        HfCausalLm.Generation g =
            lm.generate(ids, params, c.stopTokens(), new SplittableRandom(seed));
        String response = tokenizer.decode(g.tokens());
        PrintWriter out = cmd.getOut();
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("promptText", text);
          m.put("promptTokens", ids);
          m.put("tokens", g.tokens());
          m.put("logProbs", g.logProbs());
          m.put("finished", g.finished());
          m.put("text", response);
          out.println(JSON.writeValueAsString(m));
        } else {
          out.println(response);
          out.printf(
              Locale.ROOT,
              "(%d tokens, %s, sum of log-probs %.4f)%n",
              g.tokens().length,
              g.finished() ? "ended by the end-of-sequence token" : "not finished",
              Arrays.stream(g.logProbs()).sum());
        }
        out.flush();
      }
      return 0;
    }
  }

  /** {@code lodestone model init}. */
  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Write a small Hugging Face checkpoint with seeded random weights (config.json,"
            + " model.safetensors, tokenizer.json: a byte-level BPE tokenizer with a few merges,"
            + " generation_config.json), to try the commands without a download."
      },
      exitCodeListHeading = "%nExit status:%n",
      exitCodeList = {"0:written", "1:the directory could not be written", "2:invalid option"})
  static final class Init implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write")
    Path out;

    @Option(
        names = "--arch",
        defaultValue = "llama",
        paramLabel = "TYPE",
        description = "llama, qwen2, mistral or gpt2 (default: ${DEFAULT-VALUE})")
    String arch;

    @Option(
        names = "--hidden",
        defaultValue = "64",
        paramLabel = "D",
        description = "hidden size (default: ${DEFAULT-VALUE})")
    int hidden;

    @Option(
        names = "--layers",
        defaultValue = "2",
        paramLabel = "N",
        description = "decoder layers (default: ${DEFAULT-VALUE})")
    int layers;

    @Option(
        names = "--heads",
        defaultValue = "4",
        paramLabel = "H",
        description = "attention heads (default: ${DEFAULT-VALUE})")
    int heads;

    @Option(
        names = "--kv-heads",
        defaultValue = "2",
        paramLabel = "K",
        description = "key/value heads, Llama family (default: ${DEFAULT-VALUE})")
    int kvHeads;

    @Option(
        names = "--intermediate",
        paramLabel = "F",
        description = "MLP width (default: 2 x hidden; gpt2: 4 x hidden)")
    Integer intermediate;

    @Option(
        names = "--context",
        defaultValue = "64",
        paramLabel = "C",
        description = "context length (default: ${DEFAULT-VALUE})")
    int context;

    @Option(names = "--tied", description = "tie the output projection to the embedding")
    boolean tied;

    @Option(
        names = "--dtype",
        defaultValue = "F32",
        paramLabel = "F32|F16|BF16",
        description = "stored dtype (default: ${DEFAULT-VALUE})")
    Safetensors.Dtype dtype;

    @Option(
        names = "--seed",
        defaultValue = "1",
        paramLabel = "S",
        description = "weights seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
      CommandLine cmd = spec.commandLine();
      if (!List.of("llama", "qwen2", "mistral", "gpt2").contains(arch)) {
        throw new CommandLine.ParameterException(
            cmd, "--arch must be llama, qwen2, mistral or gpt2, got '" + arch + "'");
      }
      if (Files.exists(out.resolve("config.json"))) {
        throw new CommandLine.ParameterException(
            cmd, out + " already holds a checkpoint (config.json); choose an empty directory");
      }
      boolean gpt2 = arch.equals("gpt2");
      int mlp = intermediate != null ? intermediate : (gpt2 ? 4 : 2) * hidden;
      HfConfig written;
      try {
        written =
            new RandomCheckpoint(
                    arch, hidden, layers, heads, gpt2 ? heads : kvHeads, mlp, context, gpt2 || tied)
                .write(out, seed, dtype);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cmd, e.getMessage());
      }
      cmd.getOut()
          .printf(
              "wrote %s: %s, %,d parameters, %s%n",
              out, written.architecture(), written.parameterCount(), dtype);
      return 0;
    }
  }
}
