package dev.lodestone.stack.registry;

import static dev.lodestone.schemas.registry.TestSchemas.THING_V1;
import static dev.lodestone.schemas.registry.TestSchemas.THING_V2;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.stack.registry.BadRequests.Answer;
import dev.lodestone.stack.registry.BadRequests.Request;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
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

  private static String schemaBody(String schema) throws Exception {
    return JSON.writeValueAsString(JSON.createObjectNode().put("schema", schema));
  }

  private Answer send(Request request) throws Exception {
    return BadRequests.send(URI.create(server.url()), request);
  }

  @Test
  void shouldAnswerEveryBadRequestWithA4xxAndChangeNothing() throws Exception {
    var first = send(Request.of("POST", "/subjects/things-value/versions", schemaBody(THING_V1)));
    assertThat(first.status()).isEqualTo(200);
    int firstId = JSON.readTree(first.body()).get("id").asInt();

    BadRequests.Report report = BadRequests.run(server.url());

    assertThat(report.sent()).isGreaterThan(150);
    assertThat(report.wrong()).as("of %d bad requests", report.sent()).isEmpty();
    assertThat(report.unchanged()).isTrue();
    // Nothing used up a schema id, and the registry still answers a good request.
    var next = send(Request.of("POST", "/subjects/things-value/versions", schemaBody(THING_V2)));
    assertThat(next.status()).isEqualTo(200);
    assertThat(JSON.readTree(next.body()).get("id").asInt()).isEqualTo(firstId + 1);
  }

  @Test
  void shouldTakeDotsAndSlashesInASubjectAsItsNameAndReachNoOtherRoute() throws Exception {
    String globalBefore = send(Request.of("GET", "/config", null)).body();
    for (String subject : List.of("..%2F..%2Fconfig", "..", "a%2Fb%5Cc")) {
      assertThat(
              send(Request.of("POST", "/subjects/" + subject + "/versions", schemaBody(THING_V1))))
          .extracting(Answer::status)
          .isEqualTo(200);
      assertThat(send(Request.of("PUT", "/config/" + subject, "{\"compatibility\": \"NONE\"}")))
          .extracting(Answer::status)
          .isEqualTo(200);
    }
    assertThat(JSON.readTree(send(Request.of("GET", "/subjects", null)).body()))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("../../config", "..", "a/b\\c");
    assertThat(send(Request.of("GET", "/config", null)).body()).isEqualTo(globalBefore);
    assertThat(send(Request.of("GET", "/config/..%2F..%2Fconfig", null)).body()).contains("NONE");
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
    Answer subjects = send(Request.of("GET", "/subjects", null));
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
