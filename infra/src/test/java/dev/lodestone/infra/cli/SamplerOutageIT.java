package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.lodestone.infra.chaos.ChaosStack;
import dev.lodestone.infra.chaos.TopicReader;
import dev.lodestone.infra.run.ModelSize;
import dev.lodestone.learner.Learner;
import dev.lodestone.learner.LearnerConfig;
import dev.lodestone.learner.LearnerHyperparameters;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.sampler.PromptSource;
import dev.lodestone.sampler.SamplerConfig;
import dev.lodestone.sampler.SamplerService;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.service.ServiceState;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sampler through a broker outage longer than its clients' timeouts: the local stack is stopped
 * under a running sampler and started again on the same data and ports. The sampler's clients are
 * given short timeouts (request 3 s, API calls 5 s, delivery 8 s) so that the outage outlasts each
 * of them; the sampler must neither fail nor lose or repeat a group.
 */
@Tag("integration")
class SamplerOutageIT {
  private static final String MODEL = "it-outage";

  @TempDir Path dir;

  @Test
  void shouldWaitOutABrokerOutageLongerThanItsClientTimeoutsAndLoseNothing() throws Exception {
    LocalStackConfig config =
        LocalStackConfig.ephemeral()
            .withDataDir(dir.resolve("stack"))
            .withPorts(ChaosStack.freePort(), ChaosStack.freePort(), ChaosStack.freePort());
    LocalStack stack = new LocalStack(config);
    stack.start(LocalStack.DEFAULT_START_TIMEOUT);
    ClusterConfig cluster =
        new ClusterConfig(
            stack.bootstrapServers(),
            URI.create(stack.registryUrl()),
            Map.of(
                "request.timeout.ms", "3000",
                "default.api.timeout.ms", "5000",
                "delivery.timeout.ms", "8000"));
    byte[] weights;
    try (PolicyModel m = PolicyModel.create(ModelSize.TINY.config(), Device.cpu(), 3)) {
      weights = m.toBytes();
    }
    // Version 0 of the model, with a bound on groups in flight that the test stays below.
    try (Learner learner =
        new Learner(
            LearnerConfig.builder(cluster, MODEL)
                .hyperparameters(
                    LearnerHyperparameters.builder().batchGroups(64).publishEvery(4).build())
                .build(),
            weights)) {
      learner.start(Duration.ofSeconds(60));
      TopicReader.await("version 0", Duration.ofSeconds(60), () -> learner.policyVersion() == 0);
    }
    SamplerService sampler =
        new SamplerService(
            SamplerConfig.builder(cluster, MODEL, "perturbed-rps", PromptSource.fixed("Choose"))
                .samplerId("it-outage-sampler")
                .groupSize(2)
                .groupsPerBatch(2)
                .maxStaleness(8)
                .offsetsRefresh(Duration.ZERO)
                .build());
    try {
      sampler.start(Duration.ofSeconds(60));
      TopicReader.await(
          "groups before the outage",
          Duration.ofSeconds(60),
          () -> sampler.stats().groupsPublished() >= 20);

      stack.close(); // the broker and the registry go away
      Thread.sleep(20_000); // longer than every client timeout above
      assertThat(sampler.state()).isEqualTo(ServiceState.RUNNING);
      long beforeRestart = sampler.stats().groupsPublished();

      stack = new LocalStack(config);
      stack.start(LocalStack.DEFAULT_START_TIMEOUT);
      TopicReader.await(
          "groups after the outage",
          Duration.ofSeconds(90),
          () -> sampler.stats().groupsPublished() >= beforeRestart + 20);
      assertThat(sampler.state()).isEqualTo(ServiceState.RUNNING);
    } finally {
      sampler.close();
    }
    assertThat(sampler.state()).isEqualTo(ServiceState.STOPPED);
    long published = sampler.stats().groupsPublished();
    List<TopicReader.Read<SampleGroup>> samples = new TopicReader(cluster).all(Topics.SAMPLES);
    Set<String> ids = new HashSet<>();
    for (TopicReader.Read<SampleGroup> r : samples) {
      assertThat(ids.add(r.value().getGroupId())).as("group %s twice", r.key()).isTrue();
      assertThat(r.value().getModelId()).isEqualTo(MODEL);
    }
    // Every group counted as published is there; a batch in flight at the close may be too.
    assertThat((long) samples.size()).isBetween(published, published + 2);
    stack.close();
  }
}
