package dev.lodestone.infra.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command lines of the components of one model on the chaos stack: tiny policies, a learner of
 * {@code steps} steps of 2 groups publishing every 2 steps, samplers of 2 groups per batch.
 */
public final class Components {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int BATCH_GROUPS = 2;

  /** Responses per sample group: the samplers' default. */
  static final int GROUP_SIZE = 2;

  private final ClusterConfig cluster;
  private final Path dir;
  private final String model;
  private final long steps;

  /**
   * The components of {@code model} on {@code cluster}, their warm-up cache in {@code dir}, the
   * learner's budget {@code steps}.
   */
  public Components(ClusterConfig cluster, Path dir, String model, long steps) {
    this.cluster = cluster;
    this.dir = dir;
    this.model = model;
    this.steps = steps;
  }

  private List<String> common(String command, String modelId) {
    return new ArrayList<>(
        List.of(
            command,
            "--bootstrap",
            cluster.bootstrapServers(),
            "--registry",
            cluster.registryUrl().toString(),
            "--task",
            "perturbed-rps",
            "--model-id",
            modelId));
  }

  private List<String> learning(List<String> a) {
    return learning(a, steps);
  }

  private List<String> learning(List<String> a, long budget) {
    a.addAll(
        List.of(
            "--model",
            "tiny",
            "--warmup-cache",
            dir.resolve("warmup").toString(),
            "--steps",
            Long.toString(budget),
            "--batch-groups",
            Integer.toString(BATCH_GROUPS),
            "--publish-every",
            "2",
            "--json"));
    return a;
  }

  /** A learner of {@code steps} steps, consumer group {@code MODEL-learner}. */
  public List<String> learner() {
    List<String> a = learning(common("learner", model));
    a.addAll(List.of("--group-id", model + "-learner"));
    return a;
  }

  /** A learner that runs until it is stopped ({@code --steps 0}). */
  List<String> openLearner() {
    List<String> a = learning(common("learner", model), 0);
    a.addAll(List.of("--group-id", model + "-learner"));
    return a;
  }

  /** A replay of {@code labeled} into {@code newModel}, with the learner's settings. */
  List<String> replay(String newModel) {
    return replay(newModel, "labeled");
  }

  /** A replay of {@code from} (a topic and range, or a file) into {@code newModel}. */
  public List<String> replay(String newModel, String from) {
    List<String> a = learning(common("replay", newModel));
    a.addAll(List.of("--from", from));
    return a;
  }

  /** A judge with its label join, instance {@code instance}, state in {@code dir/instance}. */
  public List<String> judge(String instance) {
    List<String> a = common("judge", model);
    a.addAll(List.of("--instance-id", instance, "--state-dir", dir.resolve(instance).toString()));
    return a;
  }

  /** A sampler {@code id} of 2 groups per batch, max staleness 4, 10 new tokens. */
  public List<String> sampler(String id) {
    List<String> a = common("sampler", model);
    a.addAll(
        List.of(
            "--sampler-id",
            id,
            "--groups-per-batch",
            "2",
            "--max-staleness",
            "4",
            "--max-new-tokens",
            "10"));
    return a;
  }

  LodestoneProcess start(String name, List<String> args) throws IOException {
    return LodestoneProcess.start(dir, name, args);
  }

  /** The last line of a finished learner's or replay's standard output, its {@code --json}. */
  static JsonNode json(LodestoneProcess p) throws IOException {
    String[] lines = p.stdout().strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }
}
