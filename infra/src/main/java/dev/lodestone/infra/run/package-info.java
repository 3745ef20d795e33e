/**
 * The whole pipeline in one process ({@code lodestone run}) and what its components share when run
 * alone: the task's game and warm-up ({@link dev.lodestone.infra.run.TaskSetup}), the model sizes
 * ({@link dev.lodestone.infra.run.ModelSize}), the orchestration ({@link
 * dev.lodestone.infra.run.Pipeline}), the metrics trace ({@link
 * dev.lodestone.infra.run.MetricsTail}), the progress bar and the report.
 */
package dev.lodestone.infra.run;
