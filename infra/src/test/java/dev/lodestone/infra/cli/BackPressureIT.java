package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.lodestone.infra.chaos.TopicReader;
import dev.lodestone.infra.run.ModelSize;
import dev.lodestone.learner.Learner;
import dev.lodestone.learner.LearnerConfig;
import dev.lodestone.learner.LearnerHyperparameters;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.sampler.PromptSource;
import dev.lodestone.sampler.SamplerConfig;
import dev.lodestone.sampler.SamplerService;
import dev.lodestone.sampler.SamplerStats;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure counts a model's own groups: a new model on a cluster whose {@code samples} already
 * holds a log (an older model's, or a recorded one) samples up to its bound, not zero.
 */
@Tag("integration")
class BackPressureIT {

  @Test
  void shouldCountOnlyTheGroupsProducedSinceTheModelsVersionZero() throws Exception {
    try (LocalStack stack = new LocalStack(LocalStackConfig.ephemeral())) {
      stack.start(LocalStack.DEFAULT_START_TIMEOUT);
      ClusterConfig cluster = ClusterConfig.of(stack.bootstrapServers(), stack.registryUrl());
      // An older log: 100 records in samples, far more than the new model's bound of 16.
      Properties p = cluster.clientProperties("it-older-log");
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
        for (int k = 0; k < 100; k++) {
          producer.send(new ProducerRecord<>(Topics.SAMPLES.name(), "old-" + k, new byte[] {1}));
        }
      }
      byte[] weights;
      try (PolicyModel m = PolicyModel.create(ModelSize.TINY.config(), Device.cpu(), 5)) {
        weights = m.toBytes();
      }
      // groupsPerVersion 4 x 2 = 8; with maxStaleness 2 the bound is 16 groups in flight.
      try (Learner learner =
              new Learner(
                  LearnerConfig.builder(cluster, "it-back-pressure")
                      .hyperparameters(
                          LearnerHyperparameters.builder().batchGroups(4).publishEvery(2).build())
                      .build(),
                  weights);
          SamplerService sampler =
              new SamplerService(
                  SamplerConfig.builder(
                          cluster, "it-back-pressure", "perturbed-rps", PromptSource.fixed("Go"))
                      .samplerId("it-bp-sampler")
                      .groupSize(2)
                      .groupsPerBatch(2)
                      .maxStaleness(2)
                      .offsetsRefresh(Duration.ZERO)
                      .build())) {
        learner.start(Duration.ofSeconds(60));
        sampler.start(Duration.ofSeconds(60));
        TopicReader.await(
            "the sampler pauses at its bound",
            Duration.ofSeconds(90),
            () -> sampler.stats().paused() && sampler.stats().groupsPublished() > 0);
        SamplerStats s = sampler.stats();
        assertThat(s.inFlightBound()).isEqualTo(16);
        // Alone, a sampler never draws past its allowance: exactly the bound, none of the old log.
        assertThat(s.groupsPublished()).isEqualTo(16);
        assertThat(s.inFlight()).isEqualTo(16);
      }
    }
  }
}
