package dev.lodestone.policy.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aWrittenCheckpointOpensWithTheArchitecturesParameters() throws IOException {
    for (String type : new String[] {"llama", "qwen2", "mistral", "gpt2"}) {
      Path d = dir.resolve(type);
      HfConfig written = RandomCheckpoint.tiny(type).write(d, 1, Safetensors.Dtype.BF16);
      HfCheckpoint c = HfCheckpoint.open(d);
      assertThat(c.config()).isEqualTo(written);
      assertThat(c.dtypes()).containsOnlyKeys("BF16");
      assertThat(c.tokenizerFile()).isPresent();
      assertThat(c.generationConfig()).isPresent();
      assertThat(c.storedBytes()).isEqualTo(2 * written.parameterCount());
      assertThat(c.parameterNames()).containsExactlyElementsOf(written.expectedTensors().keySet());
    }
    HfConfig qwen = HfCheckpoint.open(dir.resolve("qwen2")).config();
    assertThat(qwen.qkvBias()).isTrue();
    assertThat(qwen.expectedTensors()).containsKey("model.layers.1.self_attn.k_proj.bias");
    HfConfig llama = HfCheckpoint.open(dir.resolve("llama")).config();
    assertThat(llama.expectedTensors().get("model.layers.0.self_attn.k_proj.weight"))
        .containsExactly(32, 64); // 2 key/value heads of width 16
    assertThat(llama.expectedTensors()).containsKey("lm_head.weight");
  }

  @Test
  void shardedWeightsAreReadThroughTheirIndex() throws IOException {
    Path d = dir.resolve("sharded");
    HfConfig config = RandomCheckpoint.tiny("llama").write(d, 2, Safetensors.Dtype.F32);
    Map<String, float[]> expected = new LinkedHashMap<>();
    HfCheckpoint single = HfCheckpoint.open(d);
    for (String name : config.expectedTensors().keySet()) {
      expected.put(name, single.read(name));
    }
    Safetensors whole = Safetensors.open(d.resolve(HfCheckpoint.WEIGHTS));
    Map<String, Safetensors.Tensor> first = new LinkedHashMap<>();
    Map<String, Safetensors.Tensor> second = new LinkedHashMap<>();
    ObjectNode index = JSON.createObjectNode();
    ObjectNode map = index.putObject("weight_map");
    int i = 0;
    for (var t : whole.tensors().values()) {
      boolean one = i++ % 2 == 0;
      (one ? first : second)
          .put(t.name(), new Safetensors.Tensor(t.shape(), whole.readFloats(t.name())));
      map.put(
          t.name(), one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
    }
    Safetensors.write(
        d.resolve("model-00001-of-00002.safetensors"), first, Safetensors.Dtype.F32, Map.of());
    Safetensors.write(
        d.resolve("model-00002-of-00002.safetensors"), second, Safetensors.Dtype.F32, Map.of());
    Files.delete(d.resolve(HfCheckpoint.WEIGHTS));
    JSON.writeValue(d.resolve(HfCheckpoint.WEIGHTS_INDEX).toFile(), index);

    HfCheckpoint sharded = HfCheckpoint.open(d);
    assertThat(sharded.weightFiles()).hasSize(2);
    for (String name : config.expectedTensors().keySet()) {
      assertThat(sharded.read(name)).containsExactly(expected.get(name));
    }
  }

  @Test
  void aMissingFileIsRefusedNamingIt() throws IOException {
    Path d = dir.resolve("m");
    RandomCheckpoint.tiny("llama").write(d, 3, Safetensors.Dtype.F32);
    Files.delete(d.resolve(HfCheckpoint.WEIGHTS));
    assertThatThrownBy(() -> HfCheckpoint.open(d))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining(d.resolve("model.safetensors") + ": missing");
    Files.delete(d.resolve("config.json"));
    assertThatThrownBy(() -> HfCheckpoint.open(d))
        .hasMessageContaining(d.resolve("config.json") + ": missing");
    assertThatThrownBy(() -> HfTokenizer.load(d.resolve("absent.json")))
        .hasMessageContaining("absent.json: missing");
  }

  @Test
  void anUnknownArchitectureIsRefused() throws IOException {
    Path d = dir.resolve("u");
    RandomCheckpoint.tiny("llama").write(d, 4, Safetensors.Dtype.F32);
    editConfig(
        d, c -> c.put("model_type", "mamba").putArray("architectures").add("MambaForCausalLM"));
    assertThatThrownBy(() -> HfCheckpoint.open(d))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("config.json")
        .hasMessageContaining("unknown architecture: model_type 'mamba' (MambaForCausalLM)");
  }

  @Test
  void mismatchedShapesAndMissingOrForeignTensorsAreRefusedNamingTheTensor() throws IOException {
    Path d = dir.resolve("s");
    RandomCheckpoint.tiny("llama").write(d, 5, Safetensors.Dtype.F32);
    editConfig(d, c -> c.put("intermediate_size", 96));
    assertThatThrownBy(() -> HfCheckpoint.open(d))
        .hasMessageContaining(
            "model.safetensors: tensor model.layers.0.mlp.gate_proj.weight: shape [128, 64], config.json implies [96, 64]");

    editConfig(d, c -> c.put("intermediate_size", 128).put("num_hidden_layers", 3));
    assertThatThrownBy(() -> HfCheckpoint.open(d))
        .hasMessageContaining("tensor model.layers.2.input_layernorm.weight: missing");

    editConfig(d, c -> c.put("num_hidden_layers", 1));
    assertThatThrownBy(() -> HfCheckpoint.open(d))
        .hasMessageContaining("tensor model.layers.1.")
        .hasMessageContaining("not a parameter of LlamaForCausalLM");
  }

  @Test
  void rotaryScalingFollowsTheConfig() {
    ObjectNode c = JSON.createObjectNode();
    c.put("model_type", "llama")
        .put("vocab_size", 8)
        .put("hidden_size", 8)
        .put("intermediate_size", 8);
    c.put("num_hidden_layers", 1).put("num_attention_heads", 1).put("rope_theta", 10000.0);
    float[] plain = HfCausalLm.rotaryFrequencies(HfConfig.parse(c));
    // 1 / 10000^(2i/8): 1, 0.1, 0.01, 0.001.
    assertThat(plain).containsExactly(new float[] {1f, 0.1f, 0.01f, 0.001f}, offset(1e-7f));
    c.putObject("rope_scaling").put("rope_type", "linear").put("factor", 4.0);
    assertThat(HfCausalLm.rotaryFrequencies(HfConfig.parse(c))[1]).isCloseTo(0.025f, offset(1e-8f));
    // llama3: wavelengths 2 pi / f = 6.28, 62.8, 628, 6283 against original 64, low 1, high 4:
    // high band < 16 kept, low band > 64 divided by 8, 62.8 smoothed.
    c.putObject("rope_scaling")
        .put("rope_type", "llama3")
        .put("factor", 8.0)
        .put("low_freq_factor", 1.0)
        .put("high_freq_factor", 4.0)
        .put("original_max_position_embeddings", 64);
    float[] l3 = HfCausalLm.rotaryFrequencies(HfConfig.parse(c));
    assertThat(l3[0]).isEqualTo(1f);
    double smooth = (64 / (2 * Math.PI / 0.1) - 1) / (4 - 1);
    assertThat((double) l3[1]).isCloseTo((1 - smooth) * 0.1 / 8 + smooth * 0.1, offset(1e-7));
    assertThat(l3[2]).isCloseTo(0.01f / 8, offset(1e-9f));
    assertThat(l3[3]).isCloseTo(0.001f / 8, offset(1e-10f));
    c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 2.0);
    assertThatThrownBy(() -> HfConfig.parse(c)).hasMessageContaining("rope_scaling type 'yarn'");
  }

  private static void editConfig(Path d, Consumer<ObjectNode> edit) throws IOException {
    ObjectNode c = (ObjectNode) JSON.readTree(d.resolve("config.json").toFile());
    edit.accept(c);
    JSON.writeValue(d.resolve("config.json").toFile(), c);
  }
}
