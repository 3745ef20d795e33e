package dev.lodestone.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

  @Test
  void shouldBuildClientPropertiesWithTheExtraSettings() {
    ClusterConfig config =
        new ClusterConfig(
            "a:9092,[::1]:9093",
            URI.create("http://registry:8081"),
            Map.of("security.protocol", "SASL_SSL"));
    Properties p = config.clientProperties("sampler-0");
    assertThat(p)
        .containsEntry("bootstrap.servers", "a:9092,[::1]:9093")
        .containsEntry("client.id", "sampler-0")
        .containsEntry("security.protocol", "SASL_SSL");
  }

  @Test
  void shouldRejectABootstrapListWithoutPorts() {
    assertThatThrownBy(() -> ClusterConfig.of("localhost", "http://localhost:8081"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "bootstrapServers must be a comma-separated list of HOST:PORT, got 'localhost'");
  }

  @Test
  void shouldRejectARegistryUrlThatIsNotHttp() {
    assertThatThrownBy(() -> ClusterConfig.of("localhost:9092", "localhost:8081"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("registryUrl must be an http:// or https:// URL, got 'localhost:8081'");
  }
}
