package dev.lodestone.stack.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Bad requests to a schema registry, and the check that each gets a 4xx with Confluent's JSON error
 * body and changes nothing: random bodies, JSON that is no registration, deep nesting, a body over
 * the size limit, wrong content types, control characters and over-long subjects, malformed
 * escapes, out-of-range versions and ids, unknown routes and methods. Shared by the registry's
 * tests and the chaos benchmark.
 */
public final class BadRequests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String JSON_TYPE = "application/vnd.schemaregistry.v1+json";

  /** A valid registration the battery's bodies are made from (not registered by it). */
  static final String OTHER_SCHEMA =
      "{\"type\": \"record\", \"name\": \"Other\", \"fields\": [{\"name\": \"x\","
          + " \"type\": \"int\"}]}";

  private BadRequests() {}

  /** One request: method, path (raw, escapes included), content type and body. */
  public record Request(String method, String path, String contentType, byte[] body) {
    static Request of(String method, String path, String body) {
      return new Request(
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

  /** An answer: its status and body. */
  public record Answer(int status, String body) {}

  /**
   * What the battery did to a registry.
   *
   * @param sent the bad requests sent
   * @param wrong those answered otherwise than with a 4xx and an error body, with their answers
   * @param unchanged whether the registry's subjects, versions and configuration are as before
   */
  public record Report(int sent, List<String> wrong, boolean unchanged) {}

  /** Sends every request of the {@link #battery()} to the registry at {@code baseUrl}. */
  public static Report run(String baseUrl) {
    URI base = URI.create(baseUrl);
    String before = holdings(base);
    List<String> wrong = new ArrayList<>();
    List<Request> bad = battery();
    for (Request request : bad) {
      Answer answer;
      try {
        answer = send(base, request);
      } catch (IOException e) {
        wrong.add(request + " -> no answer: " + e);
        continue;
      }
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
      } catch (IOException e) {
        body = null;
      }
      if (body == null
          || body.path("error_code").asInt() == 0
          || body.path("message").asText().isBlank()) {
        wrong.add(request + " -> " + answer.status() + " without an error body: " + answer.body());
      }
    }
    return new Report(bad.size(), wrong, holdings(base).equals(before));
  }

  /** Sends one request: over HTTP, or as raw bytes when its path is no URI (a bad escape). */
  public static Answer send(URI base, Request bad) throws IOException {
    URI uri;
    try {
      uri = URI.create(base + bad.path());
    } catch (IllegalArgumentException e) {
      return sendRaw(base, bad);
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
    try {
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** The request as bytes on a socket of its own, and the answer read to the end. */
  private static Answer sendRaw(URI base, Request bad) throws IOException {
    byte[] body = bad.body() == null ? new byte[0] : bad.body();
    String head =
        bad.method()
            + " "
            + bad.path()
            + " HTTP/1.1\r\nHost: "
            + base.getHost()
            + "\r\nConnection: close\r\n"
            + (bad.contentType() == null ? "" : "Content-Type: " + bad.contentType() + "\r\n")
            + "Content-Length: "
            + body.length
            + "\r\n\r\n";
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
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

  /** What the registry holds, as its API shows it. */
  static String holdings(URI base) {
    try {
      StringBuilder out = new StringBuilder();
      out.append(send(base, Request.of("GET", "/subjects", null)).body());
      out.append(send(base, Request.of("GET", "/config", null)).body());
      JsonNode subjects = JSON.readTree(send(base, Request.of("GET", "/subjects", null)).body());
      for (JsonNode subject : subjects) {
        String s = URLEncoder.encode(subject.asText(), StandardCharsets.UTF_8);
        out.append(send(base, Request.of("GET", "/subjects/" + s + "/versions", null)).body());
        out.append(
            send(base, Request.of("GET", "/config/" + s + "?defaultToGlobal=true", null)).body());
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read what the registry holds", e);
    }
  }

  private static String schemaBody(String schema) {
    try {
      return JSON.writeValueAsString(JSON.createObjectNode().put("schema", schema));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The bad requests: about 170 of them. */
  public static List<Request> battery() {
    List<Request> bad = new ArrayList<>();
    String good = schemaBody(OTHER_SCHEMA);
    // bodies that are not a registration
    Random random = new Random(11);
    for (int k = 0; k < 40; k++) {
      byte[] b = new byte[1 + random.nextInt(2048)];
      random.nextBytes(b);
      bad.add(new Request("POST", "/subjects/things-value/versions", JSON_TYPE, b));
      bad.add(new Request("PUT", "/config", JSON_TYPE, b));
    }
    bad.add(new Request("POST", "/subjects/things-value/versions", JSON_TYPE, new byte[0]));
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
      bad.add(Request.of("POST", "/subjects/things-value/versions", body));
      bad.add(Request.of("POST", "/compatibility/subjects/things-value/versions/latest", body));
    }
    for (String body :
        List.of("{}", "{\"compatibility\": 5}", "{\"compatibility\": \"SIDEWAYS\"}", "[1]")) {
      bad.add(Request.of("PUT", "/config", body));
      bad.add(Request.of("PUT", "/config/things-value", body));
    }
    // an oversize body
    byte[] huge = new byte[16 * 1024 * 1024 + 1];
    Arrays.fill(huge, (byte) ' ');
    bad.add(new Request("POST", "/subjects/things-value/versions", JSON_TYPE, huge));
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
          new Request(
              "POST",
              "/subjects/things-value/versions",
              type,
              good.getBytes(StandardCharsets.UTF_8)));
      bad.add(
          new Request(
              "PUT",
              "/config",
              type,
              "{\"compatibility\": \"NONE\"}".getBytes(StandardCharsets.UTF_8)));
    }
    // path and query tricks
    for (String subject :
        List.of("%00", "a%0Ab", "a%0D%0AX-Injected:%201", "x".repeat(300), "%zz", "%")) {
      bad.add(Request.of("POST", "/subjects/" + subject + "/versions", good));
      bad.add(Request.of("PUT", "/config/" + subject, "{\"compatibility\": \"NONE\"}"));
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
      bad.add(Request.of("GET", path, null));
    }
    bad.add(
        Request.of("POST", "/compatibility/subjects/things-value/versions/latest?verbose=%", good));
    // methods the routes do not have
    for (String method : List.of("DELETE", "PATCH", "TRACE", "FOO")) {
      bad.add(Request.of(method, "/subjects/things-value", null));
      bad.add(Request.of(method, "/schemas/ids/1", null));
    }
    return bad;
  }
}
