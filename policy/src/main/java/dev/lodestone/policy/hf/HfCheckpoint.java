package dev.lodestone.policy.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Hugging Face model directory, as {@code huggingface-cli download} leaves it: {@code
 * config.json}, the weights in {@code model.safetensors} or in shards listed by {@code
 * model.safetensors.index.json}, and, where present, {@code tokenizer.json} and {@code
 * generation_config.json}.
 *
 * <p>{@link #open(Path)} reads the configuration and every safetensors header, and checks that the
 * files hold exactly the architecture's parameters with the configuration's shapes, before any
 * weight is read. A checkpoint that fails is refused with a {@link CheckpointFormatException} that
 * names the file and the tensor.
 */
public final class HfCheckpoint {

  /** The single-file weights. */
  public static final String WEIGHTS = "model.safetensors";

  /** The index of sharded weights. */
  public static final String WEIGHTS_INDEX = "model.safetensors.index.json";

  /** Hugging Face's tokenizer file. */
  public static final String TOKENIZER = "tokenizer.json";

  /** The generation defaults. */
  public static final String GENERATION_CONFIG = "generation_config.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where a parameter is stored. */
  private record Location(Safetensors file, String storedName) {}

  private final Path dir;
  private final HfConfig config;
  private final Map<String, Location> parameters;
  private final Map<Path, Safetensors> files;

  private HfCheckpoint(
      Path dir, HfConfig config, Map<String, Location> parameters, Map<Path, Safetensors> files) {
    this.dir = dir;
    this.config = config;
    this.parameters = parameters;
    this.files = files;
  }

  /** Opens and checks the checkpoint in {@code dir}. */
  public static HfCheckpoint open(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new CheckpointFormatException(dir, "not a directory (a Hugging Face model directory)");
    }
    HfConfig config = HfConfig.read(dir);
    Map<Path, Safetensors> files = new LinkedHashMap<>();
    Path single = dir.resolve(WEIGHTS);
    Path index = dir.resolve(WEIGHTS_INDEX);
    if (Files.isRegularFile(index)) {
      for (String shard : shards(index)) {
        Path p = dir.resolve(shard);
        files.put(p, Safetensors.open(p));
      }
    } else if (Files.isRegularFile(single)) {
      files.put(single, Safetensors.open(single));
    } else {
      throw new CheckpointFormatException(
          single, "missing (and no " + WEIGHTS_INDEX + " for sharded weights)");
    }
    Map<String, long[]> expected = config.expectedTensors();
    Map<String, Location> parameters = new LinkedHashMap<>();
    for (Safetensors f : files.values()) {
      for (Safetensors.TensorInfo t : f.tensors().values()) {
        String name = config.canonicalName(t.name());
        if (name == null) {
          continue;
        }
        long[] shape = expected.get(name);
        if (shape == null) {
          throw new CheckpointFormatException(
              f.file(),
              t.name(),
              "not a parameter of " + config.architecture() + " as config.json describes it");
        }
        if (!Arrays.equals(shape, t.shape())) {
          throw new CheckpointFormatException(
              f.file(),
              t.name(),
              "shape " + t.shapeString() + ", config.json implies " + Arrays.toString(shape));
        }
        if (Safetensors.Dtype.parse(t.dtype()) == null) {
          throw new CheckpointFormatException(
              f.file(), t.name(), "dtype " + t.dtype() + " (Lodestone reads F32, F16 and BF16)");
        }
        Location before = parameters.put(name, new Location(f, t.name()));
        if (before != null) {
          throw new CheckpointFormatException(
              f.file(), t.name(), "stored twice (also in " + before.file().file() + ")");
        }
      }
    }
    for (String name : expected.keySet()) {
      if (!parameters.containsKey(name)) {
        Path where = files.size() == 1 ? files.keySet().iterator().next() : index;
        throw new CheckpointFormatException(where, name, "missing");
      }
    }
    Map<String, Location> ordered = new LinkedHashMap<>();
    for (String name : expected.keySet()) {
      ordered.put(name, parameters.get(name));
    }
    return new HfCheckpoint(
        dir, config, Collections.unmodifiableMap(ordered), Collections.unmodifiableMap(files));
  }

  private static TreeSet<String> shards(Path index) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(index.toFile());
    } catch (IOException e) {
      throw new CheckpointFormatException(index, "not valid JSON: " + e.getMessage());
    }
    JsonNode map = root.path("weight_map");
    if (!map.isObject() || map.isEmpty()) {
      throw new CheckpointFormatException(index, "no weight_map");
    }
    TreeSet<String> shards = new TreeSet<>();
    map.fields()
        .forEachRemaining(
            e -> {
              String shard = e.getValue().asText();
              if (shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
                throw new CheckpointFormatException(
                    index, e.getKey(), "shard '" + shard + "' is not a file in the directory");
              }
              shards.add(shard);
            });
    return shards;
  }

  /** The directory. */
  public Path dir() {
    return dir;
  }

  /** The architecture. */
  public HfConfig config() {
    return config;
  }

  /** The parameters' names (as {@link HfConfig#expectedTensors()} names them), in model order. */
  public Iterable<String> parameterNames() {
    return parameters.keySet();
  }

  /** The safetensors files. */
  public Iterable<Path> weightFiles() {
    return files.keySet();
  }

  /** Tensors per stored dtype, sorted by dtype name (for example {@code {BF16=12}}). */
  public Map<String, Integer> dtypes() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Location l : parameters.values()) {
      counts.merge(l.file().tensors().get(l.storedName()).dtype(), 1, Integer::sum);
    }
    return counts;
  }

  /** Bytes of the parameters as stored. */
  public long storedBytes() {
    long n = 0;
    for (Location l : parameters.values()) {
      Safetensors.TensorInfo t = l.file().tensors().get(l.storedName());
      n += t.end() - t.begin();
    }
    return n;
  }

  /** Parameter {@code name} as float32 values, row-major in the stored shape. */
  public float[] read(String name) throws IOException {
    Location l = parameters.get(name);
    if (l == null) {
      throw new IllegalArgumentException("no parameter " + name + " in " + dir);
    }
    return l.file().readFloats(l.storedName());
  }

  /** The tokenizer file, if the directory has one. */
  public Optional<Path> tokenizerFile() {
    Path p = dir.resolve(TOKENIZER);
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  /**
   * The tokens that end a response: {@code eos_token_id} (one id or a list) of {@code
   * generation_config.json}, else of {@code config.json}; empty if neither names one.
   */
  public long[] stopTokens() throws IOException {
    Optional<JsonNode> generation = generationConfig();
    JsonNode eos = generation.map(g -> g.path("eos_token_id")).orElse(null);
    if (eos == null || eos.isMissingNode() || eos.isNull()) {
      eos = JSON.readTree(dir.resolve("config.json").toFile()).path("eos_token_id");
    }
    if (eos.isIntegralNumber()) {
      return new long[] {eos.asLong()};
    }
    if (eos.isArray()) {
      long[] ids = new long[eos.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = eos.get(i).asLong();
      }
      return ids;
    }
    return new long[0];
  }

  /** {@code generation_config.json}, if the directory has one. */
  public Optional<JsonNode> generationConfig() throws IOException {
    Path p = dir.resolve(GENERATION_CONFIG);
    if (!Files.isRegularFile(p)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(p.toFile()));
    } catch (IOException e) {
      throw new CheckpointFormatException(p, "not valid JSON: " + e.getMessage());
    }
  }
}
