package dev.lodestone.schemas.registry;

import static dev.lodestone.schemas.registry.TestSchemas.THING_V1;
import static dev.lodestone.schemas.registry.TestSchemas.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a scripted server: retries, errors, authentication, caching, paths. */
class RestSchemaRegistryClientTest {

  private record Exchange(String method, String path, String authorization, String contentType) {}

  private record Scripted(int status, String body) {}

  private HttpServer server;
  private final Queue<Scripted> script = new ConcurrentLinkedQueue<>();
  private final List<Exchange> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
  private String url;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          seen.add(
              new Exchange(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getRawPath(),
                  exchange.getRequestHeaders().getFirst("Authorization"),
                  exchange.getRequestHeaders().getFirst("Content-Type")));
          Scripted next = script.poll();
          if (next == null) {
            next = new Scripted(500, "{\"error_code\": 50001, \"message\": \"script empty\"}");
          }
          byte[] body = next.body().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(next.status(), body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private RestSchemaRegistryClient.Builder fastRetries(String base) {
    return RestSchemaRegistryClient.builder(base)
        .maxRetries(2)
        .initialBackoff(Duration.ofMillis(1))
        .maxBackoff(Duration.ofMillis(5));
  }

  @Test
  void shouldRetryServerErrorsAndThenSucceed() {
    script.add(new Scripted(503, "Service Unavailable"));
    script.add(new Scripted(500, "{\"error_code\": 50001, \"message\": \"store error\"}"));
    script.add(new Scripted(200, "{\"id\": 17}"));

    int id = fastRetries(url).build().register("things-value", parse(THING_V1));

    assertThat(id).isEqualTo(17);
    assertThat(seen).hasSize(3);
    assertThat(seen.get(0).method()).isEqualTo("POST");
    assertThat(seen.get(0).path()).isEqualTo("/subjects/things-value/versions");
    assertThat(seen.get(0).contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
  }

  @Test
  void shouldGiveUpAfterTheRetriesWithTheLastServerError() {
    for (int i = 0; i < 3; i++) {
      script.add(new Scripted(500, "{\"error_code\": 50001, \"message\": \"store error\"}"));
    }

    assertThatThrownBy(() -> fastRetries(url).build().schemaById(3))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(500);
              assertThat(e.errorCode()).isEqualTo(50001);
              assertThat(e.isRetriable()).isTrue();
              assertThat(e.getMessage()).contains("GET", "/schemas/ids/3", "store error");
            });
    assertThat(seen).hasSize(3);
  }

  @Test
  void shouldNotRetryClientErrors() {
    script.add(new Scripted(409, "{\"error_code\": 409, \"message\": \"incompatible\"}"));
    script.add(new Scripted(200, "{\"id\": 1}"));

    assertThatThrownBy(() -> fastRetries(url).build().register("s", parse(THING_V1)))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.errorCode()).isEqualTo(409);
              assertThat(e.isRetriable()).isFalse();
            });
    assertThat(seen).hasSize(1);
  }

  @Test
  void shouldKeepTheStatusAsCodeForNonConfluentErrorBodies() {
    script.add(new Scripted(404, "<html>Not Found</html>"));

    assertThatThrownBy(() -> fastRetries(url).build().subjects())
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(404);
              assertThat(e.errorCode()).isEqualTo(404);
              assertThat(e.getMessage()).contains("<html>Not Found</html>");
            });
  }

  @Test
  void shouldRetryConnectionFailuresAndReportThemAsRetriable() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    RestSchemaRegistryClient client = fastRetries("http://127.0.0.1:" + port).build();

    assertThatThrownBy(client::subjects)
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(SchemaRegistryException.NO_RESPONSE);
              assertThat(e.isRetriable()).isTrue();
              assertThat(e.getMessage()).contains("no response");
            });
  }

  @Test
  void shouldSendBasicAuthFromBuilderOrUrlAndKeepTheBasePath() {
    script.add(new Scripted(200, "[]"));
    script.add(new Scripted(200, "[]"));
    String withUser = url.replace("http://", "http://alice:s%40cret@") + "/apis/ccompat/v7/";

    RestSchemaRegistryClient fromUrl = fastRetries(withUser).build();
    fromUrl.subjects();
    fastRetries(url + "/apis/ccompat/v7").userInfo("bob:pw").build().subjects();

    assertThat(fromUrl.url()).isEqualTo(url + "/apis/ccompat/v7");
    assertThat(seen.get(0).path()).isEqualTo("/apis/ccompat/v7/subjects");
    assertThat(seen.get(0).authorization())
        .isEqualTo(
            "Basic "
                + java.util.Base64.getEncoder()
                    .encodeToString("alice:s@cret".getBytes(StandardCharsets.UTF_8)));
    assertThat(seen.get(1).authorization())
        .isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString("bob:pw".getBytes()));
  }

  @Test
  void shouldCacheSchemasByIdAndIdsBySchema() {
    script.add(new Scripted(200, "{\"schema\": " + quoted(THING_V1) + "}"));
    script.add(new Scripted(200, "{\"id\": 5}"));
    RestSchemaRegistryClient client = fastRetries(url).build();

    assertThat(client.schemaById(5)).isEqualTo(parse(THING_V1));
    assertThat(client.schemaById(5)).isEqualTo(parse(THING_V1));
    assertThat(client.register("things-value", parse(THING_V1))).isEqualTo(5);
    assertThat(client.register("things-value", parse(THING_V1))).isEqualTo(5);
    assertThat(client.lookup("things-value", parse(THING_V1))).isEqualTo(5);

    assertThat(seen)
        .extracting(Exchange::path)
        .containsExactly("/schemas/ids/5", "/subjects/things-value/versions");
  }

  @Test
  void shouldEncodeSubjectsInPaths() {
    script.add(new Scripted(200, "[1]"));
    fastRetries(url).build().versions("a b/c+d");
    assertThat(seen.get(0).path()).isEqualTo("/subjects/a%20b%2Fc%2Bd/versions");
  }

  @Test
  void shouldNameTheBadSettingWhenBuilding() {
    assertThatThrownBy(() -> RestSchemaRegistryClient.builder("localhost:8081"))
        .hasMessageContaining("'localhost:8081' is not an absolute http(s) URL");
    assertThatThrownBy(() -> RestSchemaRegistryClient.builder(url).maxRetries(-1))
        .hasMessageContaining("maxRetries must be >= 0, got -1");
    assertThatThrownBy(() -> RestSchemaRegistryClient.builder(url).userInfo("nocolon"))
        .hasMessageContaining("user:password");
    assertThatThrownBy(
            () ->
                RestSchemaRegistryClient.builder(url)
                    .initialBackoff(Duration.ofSeconds(3))
                    .maxBackoff(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("maxBackoff");
    assertThatThrownBy(() -> RestSchemaRegistryClient.builder(url).requestTimeout(Duration.ZERO))
        .hasMessageContaining("requestTimeout must be positive");
  }

  private static String quoted(String text) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(text);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
