package dev.lodestone.policy.warmup;

import ai.djl.Device;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.WeightsFormatException;
import dev.lodestone.policy.internal.Weights;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm-up results on disk, so that repeated runs start at once. An entry is the weights blob of the
 * warmed-up model, in a file named by the SHA-256 of (format, task description, corpus, model
 * config, warm-up config including the seed). Writes are atomic (temporary file, then rename). A
 * corrupt or unreadable entry is rebuilt with a warning.
 */
public final class WarmupCache {

  private static final Logger LOG = LoggerFactory.getLogger(WarmupCache.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int KEY_FORMAT = 1;

  private final Path dir;

  /** A cache in {@code dir} (created on first write). */
  public WarmupCache(Path dir) {
    this.dir = dir;
  }

  /** {@code $LODESTONE_CACHE_DIR/warmup}, else {@code ~/.cache/lodestone/warmup}. */
  public static Path defaultDirectory() {
    String env = System.getenv("LODESTONE_CACHE_DIR");
    Path base =
        env != null && !env.isBlank()
            ? Paths.get(env)
            : Paths.get(System.getProperty("user.home"), ".cache", "lodestone");
    return base.resolve("warmup");
  }

  /** The cache directory. */
  public Path directory() {
    return dir;
  }

  /**
   * A warmed-up model and where it came from.
   *
   * @param model the model; closing the entry closes it
   * @param fromCache true when loaded from disk without training
   * @param training the training run, or null when loaded from the cache
   * @param file the cache entry
   */
  public record Entry(PolicyModel model, boolean fromCache, WarmupResult training, Path file)
      implements AutoCloseable {

    /** Closes the model. */
    @Override
    public void close() {
      model.close();
    }
  }

  /** The cache key: lower-case hex SHA-256 of every input that determines the result. */
  public static String key(
      String task, WarmupCorpus corpus, ModelConfig model, WarmupConfig warmup) {
    ObjectNode node = JSON.createObjectNode();
    node.put("format", KEY_FORMAT);
    node.put("task", task);
    try {
      node.set("corpus", JSON.readTree(corpus.toJson()));
      node.set("model", JSON.readTree(model.toJson()));
      node.set("warmup", JSON.valueToTree(warmup));
      return Weights.sha256Hex(JSON.writeValueAsBytes(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot build the warm-up cache key", e);
    }
  }

  /** The file an entry lives in. */
  public Path file(String key) {
    return dir.resolve("warmup-" + key + ".weights");
  }

  /**
   * Loads the warmed-up model for these inputs, or creates it ({@link PolicyModel#create} with the
   * warm-up seed, then {@link WarmupTrainer#train}) and stores it.
   *
   * @param task a description of the task (e.g. the game's name or its JSON)
   */
  public Entry getOrTrain(
      String task,
      WarmupCorpus corpus,
      ModelConfig modelConfig,
      WarmupConfig warmup,
      Device device,
      WarmupListener listener) {
    Path file = file(key(task, corpus, modelConfig, warmup));
    if (Files.isRegularFile(file)) {
      try {
        byte[] blob = Files.readAllBytes(file);
        PolicyModel model = PolicyModel.fromBytes(blob, modelConfig, device);
        LOG.info("warm-up for {} loaded from cache {}", task, file);
        return new Entry(model, true, null, file);
      } catch (WeightsFormatException | IOException e) {
        LOG.warn("warm-up cache entry {} is unreadable ({}); rebuilding it", file, e.getMessage());
      }
    }
    PolicyModel model = PolicyModel.create(modelConfig, device, warmup.seed());
    try {
      WarmupResult result = WarmupTrainer.train(model, corpus, warmup, listener);
      write(file, model.toBytes());
      return new Entry(model, false, result, file);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private void write(Path file, byte[] blob) {
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".warmup-", ".tmp");
      try {
        Files.write(tmp, blob);
        try {
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      LOG.info("warm-up cached in {} ({} bytes)", file, blob.length);
    } catch (IOException e) {
      // The model is trained either way; the next run trains again.
      LOG.warn("cannot write warm-up cache entry {}: {}", file, e.toString());
    }
  }
}
