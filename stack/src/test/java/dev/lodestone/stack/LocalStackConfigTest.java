package dev.lodestone.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LocalStackConfigTest {

  @Test
  void shouldDefaultToTheCustomaryPortsOnLoopbackWithATemporaryDirectory() {
    LocalStackConfig config = LocalStackConfig.defaults();
    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.kafkaPort()).isEqualTo(9092);
    assertThat(config.registryPort()).isEqualTo(8081);
    assertThat(config.controllerPort()).isZero();
    assertThat(config.dataDir()).isEmpty();
  }

  @Test
  void shouldNameTheFieldAndValueOfAPortOutOfRange() {
    assertThatThrownBy(() -> LocalStackConfig.defaults().withPorts(70_000, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kafkaPort must be between 0 (a free port) and 65535, got 70000");
    assertThatThrownBy(() -> LocalStackConfig.defaults().withPorts(9092, 0, -1))
        .hasMessage("registryPort must be between 0 (a free port) and 65535, got -1");
  }

  @Test
  void shouldRefuseTheSamePortForTwoListenersButAllowSeveralFreeOnes() {
    assertThatThrownBy(() -> LocalStackConfig.defaults().withPorts(9092, 0, 9092))
        .hasMessage("kafkaPort and registryPort must differ, both are 9092");
    assertThat(LocalStackConfig.defaults().withPorts(0, 0, 0).kafkaPort()).isZero();
  }

  @Test
  void shouldRefuseABlankHost() {
    assertThatThrownBy(() -> LocalStackConfig.defaults().withHost(" "))
        .hasMessage("host must be a host name or address, got ' '");
  }

  @Test
  void shouldRefuseBrokerPropertiesThatTheStackSetsItself() {
    assertThatThrownBy(
            () ->
                LocalStackConfig.defaults()
                    .withBrokerProperties(Map.of("listeners", "PLAINTEXT://:1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("brokerProperties 'listeners' is set by the local stack itself");
  }

  @Test
  void shouldListenEverywhereButAdvertiseAReachableNameAndBracketIpv6Literals() {
    var props =
        EmbeddedKafka.brokerProperties(
            "::", "lodestone-host", "::1", 9092, 9093, Path.of("/tmp/x"), Map.of());
    assertThat(props.getProperty("listeners"))
        .isEqualTo("PLAINTEXT://[::]:9092,CONTROLLER://[::1]:9093");
    assertThat(props.getProperty("advertised.listeners"))
        .isEqualTo("PLAINTEXT://lodestone-host:9092");
    assertThat(props.getProperty("controller.quorum.voters")).isEqualTo("1@[::1]:9093");
  }

  @Test
  void shouldMakeTheDataDirectoryAbsolute() {
    LocalStackConfig config = LocalStackConfig.defaults().withDataDir(Path.of("some/../data"));
    assertThat(config.dataDir()).isEqualTo(Optional.of(Path.of("data").toAbsolutePath()));
  }

  @Test
  void shouldOverrideSingleNodeDefaultsWithExtraBrokerProperties() {
    var props =
        EmbeddedKafka.brokerProperties(
            "127.0.0.1",
            "127.0.0.1",
            "127.0.0.1",
            9092,
            9093,
            Path.of("/tmp/x"),
            Map.of("log.retention.hours", "1"));
    assertThat(props.getProperty("log.retention.hours")).isEqualTo("1");
    assertThat(props.getProperty("offsets.topic.replication.factor")).isEqualTo("1");
    assertThat(props.getProperty("transaction.state.log.min.isr")).isEqualTo("1");
    assertThat(props.getProperty("message.max.bytes"))
        .isEqualTo(Integer.toString(dev.lodestone.schemas.Topics.MAX_MESSAGE_BYTES));
    assertThat(props.getProperty("controller.quorum.voters")).isEqualTo("1@127.0.0.1:9093");
    assertThat(props.getProperty("listeners"))
        .isEqualTo("PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093");
  }
}
