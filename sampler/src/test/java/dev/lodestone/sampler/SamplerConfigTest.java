package dev.lodestone.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.policy.SamplingParams;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SamplerConfigTest {
  private static final ClusterConfig CLUSTER =
      ClusterConfig.of("localhost:9092", "http://localhost:8081");

  private static SamplerConfig.Builder builder() {
    return SamplerConfig.builder(CLUSTER, "m", "perturbed-rps", PromptSource.fixed("Choose."));
  }

  @Test
  void shouldApplyTheDocumentedDefaults() {
    SamplerConfig c = builder().build();
    assertThat(c.samplerId()).matches("sampler-[0-9a-f]{8}");
    assertThat(c.groupSize()).isEqualTo(2);
    assertThat(c.sampling()).isEqualTo(new SamplingParams(1.0, 1.0, 16, true));
    assertThat(c.groupsPerBatch()).isEqualTo(8);
    assertThat(c.maxStaleness()).isEqualTo(2);
    assertThat(c.device()).isEqualTo("cpu");
    assertThat(c.seed()).isZero();
    assertThat(c.maxGroups()).isEmpty();
    assertThat(c.metricsInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.offsetsRefresh()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.prompts()).isEqualTo(new PromptSource.Fixed(List.of("Choose.")));
  }

  @Test
  void shouldGiveEveryBuilderItsOwnRandomSamplerId() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(builder().build().samplerId());
    }
    assertThat(ids).doesNotHaveDuplicates();
  }

  @Test
  void shouldNameTheFieldAndTheBadValue() {
    expectError(b -> b.groupSize(1), "groupSize must be at least 2, got 1");
    expectError(b -> b.groupsPerBatch(0), "groupsPerBatch must be at least 1, got 0");
    expectError(b -> b.maxStaleness(0), "maxStaleness must be at least 1, got 0");
    expectError(b -> b.device("tpu"), "device must be cpu, gpu or gpu:N, got 'tpu'");
    expectError(b -> b.samplerId("a b"), "samplerId must be 1-128 characters");
    expectError(b -> b.samplerId(""), "got ''");
    expectError(b -> b.maxGroups(0), "maxGroups must be at least 1 when set, got 0");
    expectError(b -> b.metricsInterval(Duration.ZERO), "metricsInterval must be positive");
    expectError(
        b -> b.offsetsRefresh(Duration.ofMillis(-1)), "offsetsRefresh must be >= 0, got PT-0.001S");
  }

  @Test
  void shouldRefuseBadModelTaskAndPrompts() {
    assertThatThrownBy(
            () -> SamplerConfig.builder(CLUSTER, "a/b", "t", PromptSource.fixed("x")).build())
        .hasMessage("modelId must be non-blank and without '/', got 'a/b'");
    assertThatThrownBy(
            () -> SamplerConfig.builder(CLUSTER, "m", " ", PromptSource.fixed("x")).build())
        .hasMessage("task must be non-blank, got ' '");
    assertThatThrownBy(() -> PromptSource.fixed(List.of()))
        .hasMessageContaining("at least one prompt text");
    assertThatThrownBy(() -> PromptSource.fixed(Arrays.asList("a", null)))
        .hasMessage("prompts[1] must not be null");
    assertThatThrownBy(() -> PromptSource.topic(""))
        .hasMessage("consumerGroup must be non-blank, got ''");
    assertThat(PromptSource.fixed("")).isEqualTo(new PromptSource.Fixed(List.of("")));
  }

  @Test
  void shouldKeepAValidConfigurationAsGiven() {
    SamplerConfig c =
        builder()
            .samplerId("s-1")
            .groupSize(4)
            .sampling(new SamplingParams(0.7, 0.9, 8, true))
            .groupsPerBatch(3)
            .maxStaleness(5)
            .device("gpu:1")
            .seed(42)
            .maxGroups(10)
            .metricsInterval(Duration.ofMillis(250))
            .offsetsRefresh(Duration.ZERO)
            .build();
    assertThat(c.samplerId()).isEqualTo("s-1");
    assertThat(c.groupSize()).isEqualTo(4);
    assertThat(c.sampling().temperature()).isEqualTo(0.7);
    assertThat(c.groupsPerBatch()).isEqualTo(3);
    assertThat(c.maxStaleness()).isEqualTo(5);
    assertThat(c.device()).isEqualTo("gpu:1");
    assertThat(c.seed()).isEqualTo(42);
    assertThat(c.maxGroups()).hasValue(10);
    assertThat(c.offsetsRefresh()).isZero();
  }

  private static void expectError(UnaryOperator<SamplerConfig.Builder> change, String message) {
    assertThatThrownBy(() -> change.apply(builder()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
