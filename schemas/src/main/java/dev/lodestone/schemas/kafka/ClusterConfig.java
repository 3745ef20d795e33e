package dev.lodestone.schemas.kafka;

import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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

  /**
   * The schema registry's settings a client configuration file may hold, under Confluent's names:
   * basic authentication ({@code basic.auth.credentials.source=USER_INFO} and {@code
   * basic.auth.user.info=USER:PASSWORD}) and the trust store of an https:// registry. They go to
   * the registry client, never to a Kafka client.
   */
  public static final Set<String> REGISTRY_KEYS =
      Set.of(
          "basic.auth.credentials.source",
          "basic.auth.user.info",
          "schema.registry.ssl.truststore.location",
          "schema.registry.ssl.truststore.password",
          "schema.registry.ssl.truststore.type");

  /**
   * This cluster with {@code extra} client properties added (Kafka's and {@link #REGISTRY_KEYS}).
   */
  public ClusterConfig withClientProperties(Map<String, String> extra) {
    Map<String, String> merged = new TreeMap<>(clientProperties);
    merged.putAll(extra);
    return new ClusterConfig(bootstrapServers, registryUrl, merged);
  }

  /**
   * Reads a client configuration file (Java properties, as Kafka's tools take with {@code
   * --command-config}): Kafka client settings, and the registry's {@link #REGISTRY_KEYS}.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read, or a registry setting
   *     this client does not know
   */
  public static Map<String, String> readClientConfig(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("the client configuration " + file + " does not exist", e);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot read the client configuration " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> out = new TreeMap<>();
    for (String key : p.stringPropertyNames()) {
      boolean registry = key.startsWith("schema.registry.") || key.startsWith("basic.auth.");
      if (registry && !REGISTRY_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            file
                + ": the registry setting "
                + key
                + " is not supported; known: "
                + new TreeSet<>(REGISTRY_KEYS));
      }
      out.put(key, p.getProperty(key).trim());
    }
    String source = out.get("basic.auth.credentials.source");
    if (source != null && !source.equals("USER_INFO")) {
      throw new IllegalArgumentException(
          file + ": basic.auth.credentials.source must be USER_INFO, got '" + source + "'");
    }
    return out;
  }

  /** Client properties with the bootstrap servers and the extra Kafka properties set. */
  public Properties clientProperties(String clientId) {
    Properties p = new Properties();
    clientProperties.forEach(
        (key, value) -> {
          if (!REGISTRY_KEYS.contains(key)) {
            p.put(key, value);
          }
        });
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  /** A REST client of the registry, with the credentials and trust store of the properties. */
  public SchemaRegistryClient registryClient() {
    RestSchemaRegistryClient.Builder builder =
        RestSchemaRegistryClient.builder(registryUrl.toString());
    String userInfo = clientProperties.get("basic.auth.user.info");
    if (userInfo != null) {
      builder.userInfo(userInfo);
    }
    String trustStore = clientProperties.get("schema.registry.ssl.truststore.location");
    if (trustStore != null) {
      builder.sslContext(
          trusting(
              Path.of(trustStore),
              clientProperties.getOrDefault("schema.registry.ssl.truststore.type", "PKCS12"),
              clientProperties.getOrDefault("schema.registry.ssl.truststore.password", "")));
    }
    return builder.build();
  }

  private static SSLContext trusting(Path file, String type, String password) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password.toCharArray());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read the registry's trust store " + file + ": " + e.getMessage(), e);
    }
  }
}
