package dev.lodestone.stack.registry;

import static dev.lodestone.schemas.registry.TestSchemas.OTHER;
import static dev.lodestone.schemas.registry.TestSchemas.THING_REQUIRED_FIELD;
import static dev.lodestone.schemas.registry.TestSchemas.THING_V1;
import static dev.lodestone.schemas.registry.TestSchemas.THING_V2;
import static dev.lodestone.schemas.registry.TestSchemas.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.schemas.registry.CompatibilityLevel;
import dev.lodestone.schemas.registry.RegisteredSchema;
import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import dev.lodestone.schemas.registry.SchemaRegistryException;
import dev.lodestone.schemas.registry.TestSchemas;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedSchemaRegistryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private EmbeddedSchemaRegistry server;

  @BeforeEach
  void start() {
    server = EmbeddedSchemaRegistry.start("127.0.0.1", 0, Optional.empty());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private record Answer(int status, String contentType, JsonNode body) {}

  private Answer call(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json");
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        JSON.readTree(response.body()));
  }

  private static String schemaBody(String schema) throws Exception {
    return JSON.writeValueAsString(JSON.createObjectNode().put("schema", schema));
  }

  private static void assertError(Answer answer, int status, int errorCode) {
    assertThat(answer.status()).isEqualTo(status);
    assertThat(answer.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(answer.body().get("error_code").asInt()).isEqualTo(errorCode);
    assertThat(answer.body().get("message").asText()).isNotBlank();
  }

  @Test
  void shouldServeTheConfluentApiWithConfluentBodies() throws Exception {
    Answer registered = call("POST", "/subjects/things-value/versions", schemaBody(THING_V1));
    assertThat(registered.status()).isEqualTo(200);
    assertThat(registered.body().get("id").asInt()).isEqualTo(1);

    assertThat(call("GET", "/subjects", null).body().toString()).isEqualTo("[\"things-value\"]");
    assertThat(call("GET", "/subjects/things-value/versions", null).body().toString())
        .isEqualTo("[1]");
    JsonNode latest = call("GET", "/subjects/things-value/versions/latest", null).body();
    assertThat(latest.get("subject").asText()).isEqualTo("things-value");
    assertThat(latest.get("version").asInt()).isEqualTo(1);
    assertThat(latest.get("id").asInt()).isEqualTo(1);
    assertThat(parse(latest.get("schema").asText())).isEqualTo(parse(THING_V1));
    assertThat(parse(call("GET", "/schemas/ids/1", null).body().get("schema").asText()))
        .isEqualTo(parse(THING_V1));
    JsonNode found = call("POST", "/subjects/things-value", schemaBody(THING_V1)).body();
    assertThat(found.get("id").asInt()).isEqualTo(1);
    assertThat(found.get("version").asInt()).isEqualTo(1);
    assertThat(call("GET", "/schemas/ids/1/versions", null).body().toString())
        .isEqualTo("[{\"subject\":\"things-value\",\"version\":1}]");
    assertThat(call("GET", "/schemas/types", null).body().toString()).isEqualTo("[\"AVRO\"]");
    assertThat(
            call(
                    "POST",
                    "/compatibility/subjects/things-value/versions/latest",
                    schemaBody(THING_V2))
                .body()
                .toString())
        .isEqualTo("{\"is_compatible\":true}");
    JsonNode verbose =
        call(
                "POST",
                "/compatibility/subjects/things-value/versions/1?verbose=true",
                schemaBody(THING_REQUIRED_FIELD))
            .body();
    assertThat(verbose.get("is_compatible").asBoolean()).isFalse();
    assertThat(verbose.get("messages").get(0).asText()).contains("owner");
  }

  @Test
  void shouldAnswerErrorsWithConfluentCodes() throws Exception {
    call("POST", "/subjects/things-value/versions", schemaBody(THING_V1));

    assertError(call("GET", "/subjects/missing/versions", null), 404, 40401);
    assertError(call("GET", "/subjects/things-value/versions/7", null), 404, 40402);
    assertError(call("GET", "/subjects/things-value/versions/zero", null), 422, 42202);
    assertError(call("GET", "/schemas/ids/42", null), 404, 40403);
    assertError(call("POST", "/subjects/things-value", schemaBody(OTHER)), 404, 40403);
    assertError(call("POST", "/subjects/missing", schemaBody(OTHER)), 404, 40401);
    assertError(
        call("POST", "/subjects/things-value/versions", schemaBody(THING_REQUIRED_FIELD)),
        409,
        409);
    assertError(
        call("POST", "/subjects/things-value/versions", schemaBody("{\"type\": \"recrod\"}")),
        422,
        42201);
    assertError(
        call(
            "POST",
            "/subjects/things-value/versions",
            "{\"schema\": \"syntax = \\\"proto3\\\";\", \"schemaType\": \"PROTOBUF\"}"),
        422,
        42201);
    assertError(call("PUT", "/config", "{\"compatibility\": \"SIDEWAYS\"}"), 422, 42203);
    assertError(call("GET", "/config/things-value", null), 404, 40408);
    assertError(call("POST", "/subjects/things-value/versions", "{not json"), 400, 400);
    assertError(call("DELETE", "/subjects/things-value", null), 405, 405);
    assertError(call("GET", "/no/such/route", null), 404, 404);
  }

  @Test
  void shouldGetAndSetGlobalAndSubjectConfig() throws Exception {
    assertThat(call("GET", "/config", null).body().toString())
        .isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
    assertThat(call("PUT", "/config", "{\"compatibility\": \"full\"}").body().toString())
        .isEqualTo("{\"compatibility\":\"FULL\"}");
    assertThat(call("PUT", "/config/a%20b", "{\"compatibility\": \"NONE\"}").status())
        .isEqualTo(200);
    assertThat(call("GET", "/config/a%20b", null).body().get("compatibilityLevel").asText())
        .isEqualTo("NONE");
    assertThat(server.registry().subjectCompatibility("a b")).contains(CompatibilityLevel.NONE);
    assertThat(
            call("GET", "/config/other?defaultToGlobal=true", null)
                .body()
                .get("compatibilityLevel")
                .asText())
        .isEqualTo("FULL");
    assertThat(call("DELETE", "/config/a%20b", null).status()).isEqualTo(200);
    assertThat(server.registry().subjectCompatibility("a b")).isEmpty();
  }

  @Test
  void shouldWorkThroughTheRestClientIncludingSubjectsThatNeedEncoding() {
    RestSchemaRegistryClient client = server.client();
    String subject = "odd subject/with+symbols?-value";

    int id = client.register(subject, parse(THING_V1));
    int again = client.register("plain-value", parse(THING_V1));
    int v2 = client.register(subject, parse(THING_V2));

    assertThat(again).isEqualTo(id);
    assertThat(v2).isNotEqualTo(id);
    assertThat(server.registry().subjects()).containsExactly(subject, "plain-value");
    assertThat(client.subjects()).containsExactly(subject, "plain-value");
    assertThat(client.versions(subject)).containsExactly(1, 2);
    assertThat(client.latest(subject))
        .isEqualTo(new RegisteredSchema(subject, v2, 2, parse(THING_V2)));
    assertThat(client.version(subject, 1).id()).isEqualTo(id);
    assertThat(client.lookup(subject, parse(THING_V1))).isEqualTo(id);
    assertThat(client.lookupVersion(subject, parse(THING_V2)).version()).isEqualTo(2);
    assertThat(new RestSchemaRegistryClient(server.url()).schemaById(v2))
        .isEqualTo(parse(THING_V2));
    assertThat(client.testCompatibility(subject, parse(THING_REQUIRED_FIELD))).isFalse();
    assertThat(client.testCompatibility(subject, parse(THING_V2))).isTrue();
    assertThat(client.testCompatibility("never-registered", parse(THING_V1))).isTrue();
    assertThatThrownBy(() -> client.register(subject, parse(THING_REQUIRED_FIELD)))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(409);
              assertThat(e.errorCode()).isEqualTo(409);
              assertThat(e.isRetriable()).isFalse();
            });
    assertThatThrownBy(() -> client.lookup(subject, parse(OTHER)))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
    assertThatThrownBy(() -> client.schemaById(999))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
    assertThatThrownBy(() -> client.version(subject, 9))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.VERSION_NOT_FOUND));

    assertThat(client.globalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
    client.setGlobalCompatibility(CompatibilityLevel.FORWARD_TRANSITIVE);
    assertThat(client.globalCompatibility()).isEqualTo(CompatibilityLevel.FORWARD_TRANSITIVE);
    assertThat(client.subjectCompatibility(subject)).isEmpty();
    client.setSubjectCompatibility(subject, CompatibilityLevel.NONE);
    assertThat(client.subjectCompatibility(subject)).contains(CompatibilityLevel.NONE);
    assertThat(client.effectiveCompatibility(subject)).isEqualTo(CompatibilityLevel.NONE);
    client.deleteSubjectCompatibility(subject);
    client.deleteSubjectCompatibility(subject);
    assertThat(client.effectiveCompatibility(subject))
        .isEqualTo(CompatibilityLevel.FORWARD_TRANSITIVE);
  }

  @Test
  void shouldFailWithATypedErrorNamingThePortWhenThePortIsInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> EmbeddedSchemaRegistry.start("127.0.0.1", port, Optional.empty()))
          .isInstanceOfSatisfying(
              RegistryStartException.class,
              e -> {
                assertThat(e.port()).isEqualTo(port);
                assertThat(e.getMessage())
                    .contains("127.0.0.1:" + port, "port " + port + " is already in use");
              });
    }
  }

  @Test
  void shouldKeepIdsAcrossAServerRestartWithADataDirectory(@TempDir Path dir) {
    int id;
    int port;
    try (EmbeddedSchemaRegistry first =
        EmbeddedSchemaRegistry.start("127.0.0.1", 0, Optional.of(dir))) {
      first.client().register("other-value", parse(OTHER));
      id = first.client().register("things-value", parse(THING_V1));
      first.client().setSubjectCompatibility("things-value", CompatibilityLevel.FULL);
      port = first.port();
    }
    // Same port again: the first server released it on close.
    try (EmbeddedSchemaRegistry second =
        EmbeddedSchemaRegistry.start("127.0.0.1", port, Optional.of(dir))) {
      RestSchemaRegistryClient client = second.client();
      assertThat(client.schemaById(id)).isEqualTo(parse(THING_V1));
      assertThat(client.lookup("things-value", parse(THING_V1))).isEqualTo(id).isEqualTo(2);
      assertThat(client.subjectCompatibility("things-value")).contains(CompatibilityLevel.FULL);
    }
  }

  @Test
  void shouldRefuseToStartOnADataDirectoryInUse(@TempDir Path dir) {
    try (EmbeddedSchemaRegistry first =
        EmbeddedSchemaRegistry.start("127.0.0.1", 0, Optional.of(dir))) {
      assertThatThrownBy(() -> EmbeddedSchemaRegistry.start("127.0.0.1", 0, Optional.of(dir)))
          .isInstanceOf(RegistryStartException.class)
          .hasMessageContaining("already used by another schema registry");
      assertThat(first.client().subjects()).isEmpty();
    }
  }

  @Test
  void shouldAssignConsistentIdsUnderConcurrentRegistrations() throws Exception {
    // 8 threads register the same 4 schemas under 8 subjects each, all at once.
    List<String> schemas = List.of(THING_V1, THING_V2, OTHER, TestSchemas.THING_COUNT_AS_STRING);
    server.client().setGlobalCompatibility(CompatibilityLevel.NONE);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<Integer>>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  RestSchemaRegistryClient client = new RestSchemaRegistryClient(server.url());
                  List<Integer> ids = new ArrayList<>();
                  for (String schema : schemas) {
                    for (int s = 0; s < 8; s++) {
                      ids.add(client.register("s" + ((s + thread) % 8), parse(schema)));
                    }
                  }
                  return ids;
                }));
      }
      for (Future<List<Integer>> future : futures) {
        List<Integer> ids = future.get();
        for (int i = 0; i < schemas.size(); i++) {
          int expected = server.registry().lookup("s0", parse(schemas.get(i)));
          assertThat(ids.subList(i * 8, i * 8 + 8)).containsOnly(expected);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(server.registry().subjects()).hasSize(8);
    for (int s = 0; s < 8; s++) {
      assertThat(server.registry().versions("s" + s)).containsExactly(1, 2, 3, 4);
    }
    assertThat(server.registry().schemaById(4)).isNotNull();
    assertThatThrownBy(() -> server.registry().schemaById(5))
        .isInstanceOf(SchemaRegistryException.class);
  }
}
