package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.lodestone.infra.chaos.ChaosStack;
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
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline in one process (sampler, judge, label join, learner, evaluator) through a
 * broker outage: the local stack is stopped for 20 s, longer than the clients' request (3 s) and
 * API (5 s) timeouts, and started again on the same data and ports. Every component goes on by
 * itself, and no group is lost or repeated on the way to the learner.
 */
@Tag("integration")
class PipelineOutageIT {
  @TempDir Path dir;

  private static void await(String what, Duration timeout, BooleanSupplier done, Pipeline p)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      assertThat(p.failure()).as("a component failed while waiting for %s", what).isEmpty();
      assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(end);
      Thread.sleep(200);
    }
  }

  @Test
  void shouldGoOnAfterABrokerOutage() throws Exception {
    LocalStackConfig stackConfig =
        LocalStackConfig.ephemeral()
            .withDataDir(dir.resolve("stack"))
            .withPorts(ChaosStack.freePort(), ChaosStack.freePort(), ChaosStack.freePort());
    LocalStack stack = new LocalStack(stackConfig);
    stack.start(LocalStack.DEFAULT_START_TIMEOUT);
    ClusterConfig cluster =
        new ClusterConfig(
            stack.bootstrapServers(),
            URI.create(stack.registryUrl()),
            Map.of("request.timeout.ms", "3000", "default.api.timeout.ms", "5000"));
    TaskSetup task = TaskSetup.of("perturbed-rps");
    byte[] weights =
        task.warmup(
                ModelSize.TINY.config(), dir.resolve("warm"), 0, Device.cpu(), WarmupListener.NONE)
            .weights();
    LearnerConfig learner =
        LearnerConfig.builder(cluster, "it-outage")
            .hyperparameters(
                LearnerHyperparameters.builder().batchGroups(4).publishEvery(2).build())
            .build();
    PipelineConfig config =
        new PipelineConfig(
            cluster,
            task,
            "it-outage",
            "outage",
            weights,
            learner,
            1,
            1,
            LabelMode.EXACT,
            null,
            null,
            new SamplerSettings(2, 2, 4, 10),
            "cpu",
            0,
            Duration.ofSeconds(60),
            Duration.ZERO,
            dir.resolve("state"));
    long consumed;
    try (Pipeline pipeline = new Pipeline(config)) {
      pipeline.start(Duration.ofSeconds(120));
      await("20 steps", Duration.ofSeconds(120), () -> pipeline.learner().step() >= 20, pipeline);
      stack.close();
      Thread.sleep(20_000);
      assertThat(pipeline.failure()).isEmpty();
      long before = pipeline.learner().step();
      stack = new LocalStack(stackConfig);
      stack.start(LocalStack.DEFAULT_START_TIMEOUT);
      await(
          "20 steps after the outage",
          Duration.ofSeconds(180),
          () -> pipeline.learner().step() >= before + 20,
          pipeline);
      pipeline.stopSamplers();
      pipeline.stopLearner();
      consumed = pipeline.learner().stats().consumedGroups();
    } catch (Throwable t) {
      stack.close();
      throw t;
    }
    try {
      TopicReader reader = new TopicReader(cluster);
      Set<String> sampled = new HashSet<>();
      for (TopicReader.Read<SampleGroup> r : reader.all(Topics.SAMPLES)) {
        assertThat(sampled.add(r.value().getGroupId())).as("sample %s twice", r.key()).isTrue();
      }
      List<TopicReader.Read<LabeledGroup>> labeled = reader.all(Topics.LABELED);
      Set<String> joined = new HashSet<>();
      for (TopicReader.Read<LabeledGroup> r : labeled) {
        String id = r.value().getGroup().getGroupId();
        assertThat(joined.add(id)).as("group %s twice on labeled", id).isTrue();
        assertThat(sampled).contains(id);
      }
      assertThat((long) labeled.size()).isGreaterThanOrEqualTo(consumed);
      assertThat(consumed).isGreaterThanOrEqualTo(4L * 40);
    } finally {
      stack.close();
    }
  }
}
