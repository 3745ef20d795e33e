package dev.lodestone.schemas.kafka;

import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Where a Lodestone service finds its cluster: Kafka bootstrap servers, the schema registry, and
 * extra client properties (security settings, for example) applied to every client it creates.
 *
 * @param bootstrapServers comma-separated {@code host:port} list
 * @param registryUrl the schema registry's base URL (Confluent REST API)
 * @param clientProperties extra Kafka client properties, applied to producers, consumers, admin
 *     clients and Streams applications
 */
public record ClusterConfig(
    String bootstrapServers, URI registryUrl, Map<String, String> clientProperties) {

  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9a-fA-F:]+]|[^:,\\s]+):\\d{1,5}");

  public ClusterConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(registryUrl, "registryUrl");
    for (String server : bootstrapServers.split(",", -1)) {
      if (!HOST_PORT.matcher(server.trim()).matches()) {
        throw new IllegalArgumentException(
            "bootstrapServers must be a comma-separated list of HOST:PORT, got '"
                + bootstrapServers
                + "'");
      }
    }
    String scheme = registryUrl.getScheme();
    if (scheme == null
        || !(scheme.equals("http") || scheme.equals("https"))
        || registryUrl.getHost() == null) {
      throw new IllegalArgumentException(
          "registryUrl must be an http:// or https:// URL, got '" + registryUrl + "'");
    }
    clientProperties = Map.copyOf(clientProperties);
  }

  /** A configuration without extra client properties. */
  public static ClusterConfig of(String bootstrapServers, String registryUrl) {
    final URI uri;
    try {
      uri = URI.create(registryUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "registryUrl must be an http:// or https:// URL, got '" + registryUrl + "'", e);
    }
    return new ClusterConfig(bootstrapServers, uri, Map.of());
  }

  /** Client properties with the bootstrap servers and the extra properties set. */
  public Properties clientProperties(String clientId) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  /** A REST client of the registry. */
  public SchemaRegistryClient registryClient() {
    return new RestSchemaRegistryClient(registryUrl.toString());
  }
}
