package dev.lodestone.stack.registry;

import static dev.lodestone.schemas.registry.TestSchemas.THING_V1;
import static dev.lodestone.schemas.registry.TestSchemas.THING_V2;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad requests to the embedded schema registry: malformed and oversize bodies, wrong content types,
 * path and query tricks, unknown methods, broken HTTP. Each must get a 4xx with a JSON error body
 * (or, for bytes that are no HTTP request, the server's 400), none may change what the registry
 * holds or use up a schema id, and the registry must go on answering good requests.
 */
class RegistryBadRequestsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String JSON_TYPE = "application/vnd.schemaregistry.v1+json";

  private EmbeddedSchemaRegistry server;

  @BeforeEach
  void start() {
    server = EmbeddedSchemaRegistry.start("127.0.0.1", 0, Optional.empty());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private record Bad(String method, String path, String contentType, byte[] body) {
    static Bad of(String method, String path, String body) {
      return new Bad(
          method, path, JSON_TYPE, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return method
          + " "
          + (path.length() > 80 ? path.substring(0, 80) + "..." : path)
          + " ["
          + contentType
          + ", "
          + (body == null ? "no body" : body.length + " bytes")
          + "]";
    }
  }

  private record Answer(int status, String body) {}

  private Answer send(Bad bad) throws Exception {
    URI uri;
    try {
      uri = URI.create(server.url() + bad.path());
    } catch (IllegalArgumentException e) {
      return sendRaw(bad); // a path no URI allows (a bad escape) travels as raw bytes
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    if (bad.contentType() != null) {
      request.header("Content-Type", bad.contentType());
    }
    request.method(
        bad.method(),
        bad.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(bad.body()));
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }

  /** The request as bytes on a socket of its own, and the answer read to the end. */
  private Answer sendRaw(Bad bad) throws Exception {
    byte[] body = bad.body() == null ? new byte[0] : bad.body();
    String head =
        bad.method()
            + " "
            + bad.path()
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + (bad.contentType() == null ? "" : "Content-Type: " + bad.contentType() + "\r\n")
            + "Content-Length: "
            + body.length
            + "\r\n\r\n";
    try (Socket socket = new Socket("127.0.0.1", port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.UTF_8));
      out.write(body);
      out.flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int end = answer.indexOf("\r\n\r\n");
      String[] statusLine = answer.substring(0, answer.indexOf("\r\n")).split(" ");
      return new Answer(Integer.parseInt(statusLine[1]), end < 0 ? "" : answer.substring(end + 4));
    }
  }

  private static String schemaBody(String schema) throws Exception {
    return JSON.writeValueAsString(JSON.createObjectNode().put("schema", schema));
  }

  /** What the registry holds, as its API shows it. */
  private String holdings() throws Exception {
    StringBuilder out = new StringBuilder();
    out.append(send(Bad.of("GET", "/subjects", null)).body());
    out.append(send(Bad.of("GET", "/config", null)).body());
    JsonNode subjects = JSON.readTree(send(Bad.of("GET", "/subjects", null)).body());
    for (JsonNode subject : subjects) {
      String s = java.net.URLEncoder.encode(subject.asText(), StandardCharsets.UTF_8);
      out.append(send(Bad.of("GET", "/subjects/" + s + "/versions", null)).body());
      out.append(send(Bad.of("GET", "/config/" + s + "?defaultToGlobal=true", null)).body());
    }
    return out.toString();
  }

  private List<Bad> badRequests() throws Exception {
    List<Bad> bad = new ArrayList<>();
    String good = schemaBody(THING_V2);
    // bodies that are not a registration
    Random random = new Random(11);
    for (int k = 0; k < 40; k++) {
      byte[] b = new byte[1 + random.nextInt(2048)];
      random.nextBytes(b);
      bad.add(new Bad("POST", "/subjects/things-value/versions", JSON_TYPE, b));
      bad.add(new Bad("PUT", "/config", JSON_TYPE, b));
    }
    bad.add(new Bad("POST", "/subjects/things-value/versions", JSON_TYPE, new byte[0]));
    for (String body :
        List.of(
            "{not json",
            "[]",
            "null",
            "42",
            "\"schema\"",
            "{\"schema\": 42}",
            "{\"schema\": null}",
            "{\"schema\": [\"a\"]}",
            "{\"schema\": \"{\\\"type\\\": \\\"recrod\\\"}\"}",
            "{\"schema\": \"not a schema\"}",
            "{\"schema\": \"{}\", \"schemaType\": \"JSON\"}",
            "{\"schema\": \"{}\", \"schemaType\": \"PROTOBUF\"}",
            "{\"schema\": \"\\\"string\\\"\", \"references\": [{\"name\": \"x\", \"subject\":"
                + " \"y\", \"version\": 1}]}",
            "{\"schema\": \"\\\"string\\\"\", \"id\": 99}",
            "[".repeat(100_000),
            "{\"schema\": \"" + "[".repeat(5_000) + "\"}")) {
      bad.add(Bad.of("POST", "/subjects/things-value/versions", body));
      bad.add(Bad.of("POST", "/compatibility/subjects/things-value/versions/latest", body));
    }
    for (String body :
        List.of("{}", "{\"compatibility\": 5}", "{\"compatibility\": \"SIDEWAYS\"}", "[1]")) {
      bad.add(Bad.of("PUT", "/config", body));
      bad.add(Bad.of("PUT", "/config/things-value", body));
    }
    // an oversize body
    byte[] huge = new byte[16 * 1024 * 1024 + 1];
    Arrays.fill(huge, (byte) ' ');
    bad.add(new Bad("POST", "/subjects/things-value/versions", JSON_TYPE, huge));
    // wrong content types for a good body
    for (String type :
        List.of(
            "text/html",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/xml",
            "image/png")) {
      bad.add(
          new Bad(
              "POST",
              "/subjects/things-value/versions",
              type,
              good.getBytes(StandardCharsets.UTF_8)));
      bad.add(
          new Bad(
              "PUT",
              "/config",
              type,
              "{\"compatibility\": \"NONE\"}".getBytes(StandardCharsets.UTF_8)));
    }
    // path and query tricks
    for (String subject :
        List.of("%00", "a%0Ab", "a%0D%0AX-Injected:%201", "x".repeat(300), "%zz", "%")) {
      bad.add(Bad.of("POST", "/subjects/" + subject + "/versions", good));
      bad.add(Bad.of("PUT", "/config/" + subject, "{\"compatibility\": \"NONE\"}"));
    }
    for (String path :
        List.of(
            "/subjects/things-value/versions/0",
            "/subjects/things-value/versions/-2",
            "/subjects/things-value/versions/99999999999999999999",
            "/subjects/things-value/versions/1e3",
            "/subjects/things-value/versions/%zz",
            "/schemas/ids/-1",
            "/schemas/ids/99999999999",
            "/schemas/ids/1/nothing",
            "/schemas/ids/%00",
            "/subjects/things-value/versions/latest/schema/extra",
            "/config/things-value?defaultToGlobal=%zz",
            "/compatibility/subjects/things-value/versions/latest?verbose=%",
            "/subjects?%zz=1",
            "/no/such/route",
            "/subjects/" + "a/".repeat(2_000))) {
      bad.add(Bad.of("GET", path, null));
    }
    bad.add(Bad.of("POST", "/compatibility/subjects/things-value/versions/latest?verbose=%", good));
    // methods the routes do not have
    for (String method : List.of("DELETE", "PATCH", "TRACE", "FOO")) {
      bad.add(Bad.of(method, "/subjects/things-value", null));
      bad.add(Bad.of(method, "/schemas/ids/1", null));
    }
    return bad;
  }

  @Test
  void shouldAnswerEveryBadRequestWithA4xxAndChangeNothing() throws Exception {
    var first = send(Bad.of("POST", "/subjects/things-value/versions", schemaBody(THING_V1)));
    assertThat(first.status()).isEqualTo(200);
    int firstId = JSON.readTree(first.body()).get("id").asInt();
    String before = holdings();

    List<String> wrong = new ArrayList<>();
    List<Bad> bad = badRequests();
    for (Bad request : bad) {
      Answer answer = send(request);
      if (answer.status() < 400 || answer.status() >= 500) {
        wrong.add(request + " -> " + answer.status() + " " + answer.body());
        continue;
      }
      if (answer.body().startsWith("<h1>4")) {
        continue; // the HTTP server's own 4xx for a request line it cannot parse
      }
      JsonNode body;
      try {
        body = JSON.readTree(answer.body());
      } catch (java.io.IOException e) {
        body = null;
      }
      if (body == null
          || body.path("error_code").asInt() == 0
          || body.path("message").asText().isBlank()) {
        wrong.add(request + " -> " + answer.status() + " without an error body: " + answer.body());
      }
    }
    assertThat(wrong).as("of %d bad requests", bad.size()).isEmpty();
    assertThat(holdings()).isEqualTo(before);

    // Nothing used up a schema id, and the registry still answers a good request.
    var next = send(Bad.of("POST", "/subjects/things-value/versions", schemaBody(THING_V2)));
    assertThat(next.status()).isEqualTo(200);
    assertThat(JSON.readTree(next.body()).get("id").asInt()).isEqualTo(firstId + 1);
  }

  @Test
  void shouldTakeDotsAndSlashesInASubjectAsItsNameAndReachNoOtherRoute() throws Exception {
    String globalBefore = send(Bad.of("GET", "/config", null)).body();
    for (String subject : List.of("..%2F..%2Fconfig", "..", "a%2Fb%5Cc")) {
      assertThat(send(Bad.of("POST", "/subjects/" + subject + "/versions", schemaBody(THING_V1))))
          .extracting(Answer::status)
          .isEqualTo(200);
      assertThat(send(Bad.of("PUT", "/config/" + subject, "{\"compatibility\": \"NONE\"}")))
          .extracting(Answer::status)
          .isEqualTo(200);
    }
    assertThat(JSON.readTree(send(Bad.of("GET", "/subjects", null)).body()))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("../../config", "..", "a/b\\c");
    assertThat(send(Bad.of("GET", "/config", null)).body()).isEqualTo(globalBefore);
    assertThat(send(Bad.of("GET", "/config/..%2F..%2Fconfig", null)).body()).contains("NONE");
  }

  @Test
  void shouldSurviveBytesThatAreNoHttpRequestAndBodiesCutShort() throws Exception {
    List<byte[]> raw =
        List.of(
            "GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            "GET\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            new byte[] {0, 1, 2, 3, (byte) 0xff, '\r', '\n', '\r', '\n'});
    for (byte[] bytes : raw) {
      String status = rawExchange(bytes);
      assertThat(status).as("the answer to %d raw bytes", bytes.length).startsWith("HTTP/1.1 4");
    }
    // A body shorter than its Content-Length, the connection closed: no answer is owed, and the
    // registry holds nothing more.
    try (Socket socket = new Socket("127.0.0.1", port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /subjects/cut-value/versions HTTP/1.1\r\nHost: x\r\nContent-Type: "
                  + JSON_TYPE
                  + "\r\nContent-Length: 1000\r\n\r\n{\"schema\": \"\\\"str")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
    Answer subjects = send(Bad.of("GET", "/subjects", null));
    assertThat(subjects.status()).isEqualTo(200);
    assertThat(subjects.body()).isEqualTo("[]");
  }

  private int port() {
    return URI.create(server.url()).getPort();
  }

  /** Sends raw bytes and returns the status line of the answer ("" when the server hung up). */
  private String rawExchange(byte[] bytes) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        line.append((char) c);
      }
      return line.toString().trim();
    }
  }
}
