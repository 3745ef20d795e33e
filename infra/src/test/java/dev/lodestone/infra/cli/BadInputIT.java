package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.lodestone.infra.chaos.BadRecords;
import dev.lodestone.infra.chaos.TopicReader;
import dev.lodestone.infra.run.ModelSize;
import dev.lodestone.infra.run.Pipeline;
import dev.lodestone.infra.run.PipelineConfig;
import dev.lodestone.infra.run.SamplerSettings;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.judge.LabelMode;
import dev.lodestone.learner.LearnerConfig;
import dev.lodestone.learner.LearnerHyperparameters;
import dev.lodestone.policy.warmup.WarmupListener;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input into every input topic of a running pipeline (sampler, judge, label join, learner in
 * one process): {@value #PER_KIND} records of each kind of damage ({@link BadRecords}). Every one
 * must reach {@code dead-letters} with its reason, from each component that reads it, no component
 * may fail, and the learner must go on training on the good groups between them.
 */
@Tag("integration")
class BadInputIT {
  private static final int PER_KIND = 40;
  private static final String MODEL = "it-bad-input";

  @TempDir Path dir;

  @Test
  void shouldDeadLetterEveryBadRecordOfEveryInputTopicAndKeepLearning() throws Exception {
    try (LocalStack stack = new LocalStack(LocalStackConfig.ephemeral())) {
      stack.start(LocalStack.DEFAULT_START_TIMEOUT);
      ClusterConfig cluster = ClusterConfig.of(stack.bootstrapServers(), stack.registryUrl());
      TaskSetup task = TaskSetup.of("perturbed-rps");
      byte[] weights =
          task.warmup(
                  ModelSize.TINY.config(),
                  dir.resolve("warm"),
                  0,
                  Device.cpu(),
                  WarmupListener.NONE)
              .weights();
      PipelineConfig config =
          new PipelineConfig(
              cluster,
              task,
              MODEL,
              "bad",
              weights,
              LearnerConfig.builder(cluster, MODEL)
                  .hyperparameters(
                      LearnerHyperparameters.builder().batchGroups(4).publishEvery(2).build())
                  .build(),
              1,
              1,
              LabelMode.EXACT,
              null,
              null,
              new SamplerSettings(2, 2, 4, 10),
              "cpu",
              0,
              Duration.ofSeconds(3),
              Duration.ofSeconds(5),
              dir.resolve("state"));
      TopicReader reader = new TopicReader(cluster);
      try (Pipeline pipeline = new Pipeline(config)) {
        pipeline.start(Duration.ofSeconds(120));
        TopicReader.await(
            "20 labelled groups", Duration.ofSeconds(120), () -> pipeline.learner().step() >= 5);
        LabeledGroup good = reader.all(Topics.LABELED).get(0).value();
        SampleGroup sample = good.getGroup();
        BadRecords.inject(cluster, good, PER_KIND);
        long stepAtInjection = pipeline.learner().step();

        Map<String, Long> expected = BadRecords.expected(PER_KIND);
        long total = expected.values().stream().mapToLong(Long::longValue).sum();
        TopicReader.await(
            total + " dead letters",
            Duration.ofSeconds(120),
            () -> {
              assertThat(pipeline.failure()).isEmpty();
              return reader.raw(Topics.DEAD_LETTERS.name()).size() >= total;
            });
        assertThat(BadRecords.deadLetters(reader)).isEqualTo(expected);
        // The good groups between the bad ones are still trained on.
        TopicReader.await(
            "steps after the bad input",
            Duration.ofSeconds(120),
            () -> pipeline.learner().step() >= stepAtInjection + 20);
        assertThat(pipeline.failure()).isEmpty();
        assertThat(sample.getResponses()).hasSize(2);
      }
    }
  }
}
