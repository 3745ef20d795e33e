package dev.lodestone.judge.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.kafka.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConfigTest {
  private static final Path DIR = Path.of("/var/lib/lodestone/judge");
  private static final StreamsAppConfig APP = StreamsAppConfig.defaults("judge-rps", "a", DIR);

  @Test
  void shouldRunExactlyOnceWithTheConfiguredSettingsAndOverridesLast() {
    StreamsAppConfig app =
        APP.withCommitInterval(Duration.ofMillis(50))
            .withNumStreamThreads(3)
            .withReplicationFactor(1)
            .withStreamsOverrides(Map.of("transaction.timeout.ms", "30000"));
    Properties p =
        app.streamsProperties(
            new ClusterConfig(
                "broker:9092",
                java.net.URI.create("http://registry:8081"),
                Map.of("security.protocol", "PLAINTEXT")));

    assertThat(p)
        .containsEntry("application.id", "judge-rps")
        .containsEntry("processing.guarantee", "exactly_once_v2")
        .containsEntry("bootstrap.servers", "broker:9092")
        .containsEntry("commit.interval.ms", "50")
        .containsEntry("num.stream.threads", "3")
        .containsEntry("replication.factor", "1")
        .containsEntry("state.dir", DIR.toAbsolutePath().toString())
        .containsEntry("transaction.timeout.ms", "30000")
        .containsEntry("security.protocol", "PLAINTEXT")
        .containsEntry("producer.max.request.size", Integer.toString(8 << 20))
        .containsEntry("client.id", "judge-rps-a");
  }

  @Test
  void shouldDefaultToASmallCommitIntervalAndTheBrokersReplicationFactor() {
    assertThat(APP.commitInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(APP.replicationFactor()).isEqualTo(-1);
    assertThat(APP.numStreamThreads()).isEqualTo(1);
    LabelJoinConfig join = LabelJoinConfig.of(APP);
    assertThat(join.quorum()).isEqualTo(1);
    assertThat(join.unknownGroupTimeout()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void shouldNameTheFieldAndTheBadValue() {
    assertThatThrownBy(() -> StreamsAppConfig.defaults("judge rps", "a", DIR))
        .hasMessageContaining("applicationId")
        .hasMessageContaining("'judge rps'");
    assertThatThrownBy(() -> StreamsAppConfig.defaults("judge", "", DIR))
        .hasMessageContaining("instanceId");
    assertThatThrownBy(() -> APP.withNumStreamThreads(0))
        .hasMessageContaining("numStreamThreads must be in [1, 64], got 0");
    assertThatThrownBy(() -> APP.withCommitInterval(Duration.ZERO))
        .hasMessageContaining("commitInterval must be positive, got PT0S");
    assertThatThrownBy(() -> APP.withReplicationFactor(0))
        .hasMessageContaining("replicationFactor")
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> APP.withMetricsInterval(Duration.ofSeconds(-1)))
        .hasMessageContaining("metricsInterval");
    assertThatThrownBy(
            () -> APP.withStreamsOverrides(Map.of("processing.guarantee", "at_least_once")))
        .hasMessageContaining("must not set processing.guarantee")
        .hasMessageContaining("at_least_once");
    assertThatThrownBy(() -> APP.withStreamsOverrides(Map.of("commit.interval.ms", "5")))
        .hasMessageContaining("it is set by commitInterval");
    LabelJoinConfig join = LabelJoinConfig.of(APP);
    assertThatThrownBy(() -> join.withQuorum(0))
        .hasMessageContaining("quorum must be in [1, 1000], got 0");
    assertThatThrownBy(() -> join.withTimeouts(Duration.ZERO, Duration.ofMinutes(1)))
        .hasMessageContaining("unknownGroupTimeout must be positive");
    assertThatThrownBy(() -> join.withTimeouts(Duration.ofMinutes(1), Duration.ofMillis(-5)))
        .hasMessageContaining("incompleteGroupTimeout must be positive");
    assertThatThrownBy(() -> join.withMaxPendingGroups(0))
        .hasMessageContaining("maxPendingGroups must be at least 1, got 0");
    assertThatThrownBy(() -> new SampleGroupLimits(1, 10, 10, 10))
        .hasMessageContaining("maxResponses must be in [2, 1024], got 1");
    assertThatThrownBy(() -> new SampleGroupLimits(4, 0, 10, 10))
        .hasMessageContaining("maxTextChars");
  }
}
