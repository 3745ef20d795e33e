package dev.lodestone.judge.streams.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.service.ServiceException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicCheckTest {

  @Test
  void shouldRefuseTopicsWithDifferentPartitionCountsNamingBoth() {
    assertThatThrownBy(
            () ->
                TopicCheck.requireCoPartitioned(
                    Map.of("samples", 8, "labels", 4), "samples", "labels"))
        .isInstanceOf(ServiceException.class)
        .hasMessageContaining("samples (8 partitions) and labels (4 partitions)");
    assertThatCode(
            () ->
                TopicCheck.requireCoPartitioned(
                    Map.of("samples", 8, "labels", 8), "samples", "labels"))
        .doesNotThrowAnyException();
  }
}
