package dev.lodestone.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void shouldReadAClientConfigurationAndKeepTheRegistrySettingsFromKafkaClients(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("sampler.properties");
    Files.writeString(
        file,
        "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
            + "basic.auth.credentials.source=USER_INFO\nbasic.auth.user.info=sampler:pw\n");
    ClusterConfig config =
        ClusterConfig.of("a:9092", "https://registry:8081")
            .withClientProperties(ClusterConfig.readClientConfig(file));
    Properties p = config.clientProperties("sampler-0");
    assertThat(p)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .doesNotContainKey("basic.auth.user.info")
        .doesNotContainKey("basic.auth.credentials.source");
    assertThat(config.clientProperties()).containsEntry("basic.auth.user.info", "sampler:pw");
  }

  @Test
  void shouldRefuseAClientConfigurationItCannotUseWhole(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> ClusterConfig.readClientConfig(dir.resolve("missing.properties")))
        .hasMessageContaining("missing.properties does not exist");
    Path url = dir.resolve("url.properties");
    Files.writeString(url, "schema.registry.url=https://elsewhere:8081\n");
    assertThatThrownBy(() -> ClusterConfig.readClientConfig(url))
        .hasMessageContaining("the registry setting schema.registry.url is not supported");
    Path source = dir.resolve("source.properties");
    Files.writeString(source, "basic.auth.credentials.source=URL\n");
    assertThatThrownBy(() -> ClusterConfig.readClientConfig(source))
        .hasMessageContaining("basic.auth.credentials.source must be USER_INFO, got 'URL'");
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
