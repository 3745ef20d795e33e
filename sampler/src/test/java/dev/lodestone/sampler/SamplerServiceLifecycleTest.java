package dev.lodestone.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.ServiceState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SamplerServiceLifecycleTest {
  private static SamplerService sampler() {
    // Nothing listens on port 1: the cluster never answers.
    ClusterConfig nowhere = ClusterConfig.of("127.0.0.1:1", "http://127.0.0.1:1");
    return new SamplerService(
        SamplerConfig.builder(nowhere, "m", "t", PromptSource.fixed("p")).build());
  }

  @Test
  void startShouldGiveUpAfterItsTimeoutWhenTheClusterDoesNotAnswer() {
    SamplerService sampler = sampler();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> sampler.start(Duration.ofSeconds(3)))
        .isInstanceOf(ServiceException.class)
        .hasMessageContaining(sampler.name());
    // start closed it: the thread has ended, the state is terminal.
    assertThat(sampler.state().isTerminal()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
    assertThatThrownBy(() -> sampler.start(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeWithoutStartShouldStop() {
    SamplerService sampler = sampler();
    sampler.close();
    assertThat(sampler.state()).isEqualTo(ServiceState.STOPPED);
    sampler.close();
    assertThat(sampler.policyVersion()).isEmpty();
    assertThat(sampler.stats().groupsPublished()).isZero();
  }
}
