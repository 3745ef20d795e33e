package dev.lodestone.judge.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.judge.testing.TestGroups;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.ServiceState;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Services against no cluster: start fails within its timeout, with a cause, and closes. */
class ServiceStartTest {
  @TempDir Path stateDir;

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void shouldFailToStartWithinTheTimeoutWhenNoBrokerAnswers() throws IOException {
    ClusterConfig cluster =
        ClusterConfig.of("127.0.0.1:" + closedPort(), "http://127.0.0.1:" + closedPort());
    JudgeService judge =
        new JudgeService(
            JudgeConfig.of(StreamsAppConfig.defaults("judge-t", "a", stateDir)),
            cluster,
            TestGroups.rpsJudge("oracle"),
            new InMemorySchemaRegistry());
    assertThat(judge.state()).isEqualTo(ServiceState.CREATED);
    assertThat(judge.name()).isEqualTo("judge-a");

    assertThatThrownBy(() -> judge.start(Duration.ofSeconds(2)))
        .isInstanceOf(ServiceException.class)
        .hasMessageContaining("[samples, labels, dead-letters, metrics]");
    assertThat(judge.state()).isEqualTo(ServiceState.FAILED);
    assertThat(judge.failure()).isPresent();
    judge.close(); // idempotent after a failed start
    assertThat(judge.state()).isEqualTo(ServiceState.FAILED);
    assertThatThrownBy(() -> judge.start(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class);

    LabelJoinService join =
        new LabelJoinService(
            LabelJoinConfig.of(StreamsAppConfig.defaults("join-t", "b", stateDir)),
            cluster,
            new InMemorySchemaRegistry());
    assertThat(join.name()).isEqualTo("label-join-b");
    assertThatThrownBy(() -> join.start(Duration.ofSeconds(2)))
        .isInstanceOf(ServiceException.class);
    assertThat(join.state()).isEqualTo(ServiceState.FAILED);
    join.close();
  }
}
