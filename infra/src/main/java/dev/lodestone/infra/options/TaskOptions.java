package dev.lodestone.infra.options;

import dev.lodestone.infra.run.TaskSetup;
import picocli.CommandLine.Option;

/** {@code --task} and {@code --model-id}: which game a component works on, under which model. */
public final class TaskOptions {

  @Option(
      names = "--task",
      paramLabel = "TASK",
      defaultValue = TaskSetup.DEFAULT_TASK,
      description =
          "The task: rps, perturbed-rps, condorcet, random:N:SEED or game:PATH; its game gives the"
              + " prompt, the judge's preferences and the warm-up (default: ${DEFAULT-VALUE}).")
  public String task;

  @Option(
      names = "--model-id",
      paramLabel = "ID",
      description =
          "The model's id on the topics; samplers, judges and the learner of one model must agree"
              + " (default: the task name).")
  public String modelId;

  /**
   * The task's setup.
   *
   * @throws IllegalArgumentException naming the bad task
   */
  public TaskSetup setup() {
    return TaskSetup.of(task);
  }

  /** The model id given, else the task's default. */
  public String modelId(TaskSetup setup) {
    return modelId == null ? setup.defaultModelId() : modelId;
  }
}
