package dev.lodestone.stack.registry.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.lodestone.schemas.registry.CompatibilityLevel;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import dev.lodestone.schemas.registry.RegisteredSchema;
import dev.lodestone.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the common subset of Confluent Schema Registry's REST API over an {@link
 * InMemorySchemaRegistry}: subjects and versions, schemas by id, compatibility checks and
 * configuration. Errors are Confluent's bodies, {@code {"error_code": ..., "message": ...}}.
 */
public final class RegistryHttpHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Content type of every JSON response, as Confluent's registry answers. */
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  /** Largest request body accepted. */
  public static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

  /** Longest subject name accepted: the longest topic name (249) and "-value". */
  public static final int MAX_SUBJECT_CHARS = 255;

  /**
   * The content types a request body may have, as Confluent's registry accepts them (its JAX-RS
   * resources take these three and octet-stream); a request without one is read as JSON.
   */
  private static final List<String> BODY_TYPES =
      List.of(
          CONTENT_TYPE,
          "application/vnd.schemaregistry+json",
          "application/json",
          "application/octet-stream");

  private final InMemorySchemaRegistry registry;

  /** A handler serving this registry. */
  public RegistryHttpHandler(InMemorySchemaRegistry registry) {
    this.registry = registry;
  }

  private record Response(int status, String body, String contentType) {
    static Response json(JsonNode node) {
      try {
        return new Response(200, JSON.writeValueAsString(node), CONTENT_TYPE);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write a JSON response", e);
      }
    }

    static Response error(int status, int errorCode, String message) {
      ObjectNode node = JSON.createObjectNode();
      node.put("error_code", errorCode);
      node.put("message", message);
      try {
        return new Response(status, JSON.writeValueAsString(node), CONTENT_TYPE);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write a JSON response", e);
      }
    }
  }

  /** A request this handler cannot route or read; answered with the given status and code. */
  private static final class RequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final int errorCode;

    RequestException(int status, int errorCode, String message) {
      super(message);
      this.status = status;
      this.errorCode = errorCode;
    }
  }

  private record Request(
      String method, String path, List<String> segments, Map<String, String> query, byte[] body) {}

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      Response response;
      try {
        response = route(read(exchange));
      } catch (SchemaRegistryException e) {
        response = Response.error(e.httpStatus(), e.errorCode(), e.getMessage());
      } catch (RequestException e) {
        response = Response.error(e.status, e.errorCode, e.getMessage());
      } catch (RuntimeException e) {
        LOG.error(
            "schema registry: {} {} failed",
            exchange.getRequestMethod(),
            exchange.getRequestURI(),
            e);
        response = Response.error(500, 500, "Internal server error: " + e);
      }
      byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", response.contentType());
      exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    } finally {
      exchange.close();
    }
  }

  private static Request read(HttpExchange exchange) throws IOException {
    String rawPath = exchange.getRequestURI().getRawPath();
    List<String> segments = new ArrayList<>();
    for (String segment : rawPath.split("/")) {
      if (!segment.isEmpty()) {
        segments.add(decode(segment));
      }
    }
    Map<String, String> query = new HashMap<>();
    String rawQuery = exchange.getRequestURI().getRawQuery();
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        try {
          query.put(
              URLDecoder.decode(key, StandardCharsets.UTF_8),
              URLDecoder.decode(value, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw new RequestException(400, 400, "Malformed query parameter '" + pair + "'");
        }
      }
    }
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new RequestException(413, 413, "Request body larger than " + MAX_BODY_BYTES + " bytes");
    }
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    if (body.length > 0 && type != null) {
      String mediaType = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (!BODY_TYPES.contains(mediaType)) {
        throw new RequestException(
            415,
            415,
            "HTTP 415 Unsupported Media Type: a request body must be one of "
                + String.join(", ", BODY_TYPES)
                + ", not "
                + printable(type));
      }
    }
    return new Request(
        exchange.getRequestMethod().toUpperCase(Locale.ROOT), rawPath, segments, query, body);
  }

  /** Percent-decodes a path segment; unlike form decoding, '+' stays a plus sign. */
  private static String decode(String segment) {
    try {
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new RequestException(400, 400, "Malformed path segment '" + segment + "'");
    }
  }

  private Response route(Request request) {
    List<String> s = request.segments();
    String m = request.method();
    if (s.isEmpty()) {
      requireMethod(request, "GET");
      return Response.json(JSON.createObjectNode());
    }
    switch (s.get(0)) {
      case "subjects":
        if (s.size() == 1) {
          requireMethod(request, "GET");
          return subjects();
        }
        if (s.size() == 2) {
          requireMethod(request, "POST");
          return lookup(subject(s.get(1)), request);
        }
        if (s.size() == 3 && s.get(2).equals("versions")) {
          requireMethod(request, "GET", "POST");
          String subject = subject(s.get(1));
          return m.equals("GET") ? versions(subject) : register(subject, request);
        }
        if (s.size() == 4 && s.get(2).equals("versions")) {
          requireMethod(request, "GET");
          return Response.json(describe(version(subject(s.get(1)), s.get(3))));
        }
        if (s.size() == 5 && s.get(2).equals("versions") && s.get(4).equals("schema")) {
          requireMethod(request, "GET");
          return new Response(
              200,
              InMemorySchemaRegistry.canonical(version(subject(s.get(1)), s.get(3)).schema()),
              CONTENT_TYPE);
        }
        break;
      case "schemas":
        if (s.size() == 2 && s.get(1).equals("types")) {
          requireMethod(request, "GET");
          ArrayNode types = JSON.createArrayNode();
          types.add("AVRO");
          return Response.json(types);
        }
        if (s.size() >= 3 && s.size() <= 4 && s.get(1).equals("ids")) {
          requireMethod(request, "GET");
          int id = parseId(s.get(2));
          if (s.size() == 3) {
            ObjectNode node = JSON.createObjectNode();
            node.put("schema", InMemorySchemaRegistry.canonical(registry.schemaById(id)));
            return Response.json(node);
          }
          if (s.get(3).equals("schema")) {
            return new Response(
                200, InMemorySchemaRegistry.canonical(registry.schemaById(id)), CONTENT_TYPE);
          }
          if (s.get(3).equals("versions")) {
            ArrayNode list = JSON.createArrayNode();
            for (RegisteredSchema r : registry.versionsOfId(id)) {
              list.addObject().put("subject", r.subject()).put("version", r.version());
            }
            return Response.json(list);
          }
        }
        break;
      case "compatibility":
        if ((s.size() == 4 || s.size() == 5)
            && s.get(1).equals("subjects")
            && s.get(3).equals("versions")) {
          requireMethod(request, "POST");
          return compatibility(subject(s.get(2)), s.size() == 5 ? s.get(4) : null, request);
        }
        break;
      case "config":
        if (s.size() == 1) {
          requireMethod(request, "GET", "PUT");
          if (m.equals("GET")) {
            return level("compatibilityLevel", registry.globalCompatibility());
          }
          CompatibilityLevel level = parseLevel(request);
          registry.setGlobalCompatibility(level);
          return level("compatibility", level);
        }
        if (s.size() == 2) {
          requireMethod(request, "GET", "PUT", "DELETE");
          return subjectConfig(subject(s.get(1)), request);
        }
        break;
      default:
        break;
    }
    throw new RequestException(404, 404, "HTTP 404 Not Found: " + m + " " + request.path());
  }

  /**
   * A subject name from a path: 1 to {@value #MAX_SUBJECT_CHARS} characters and no control
   * character (a line break in a name would forge lines in a log). Any other name, slashes and dots
   * included, is a name like any other: it addresses that subject and no other route.
   */
  private static String subject(String name) {
    String why = null;
    if (name.isEmpty() || name.length() > MAX_SUBJECT_CHARS) {
      why = "it must have 1 to " + MAX_SUBJECT_CHARS + " characters, it has " + name.length();
    } else {
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (Character.isISOControl(c)) {
          why =
              "it contains the control character U+" + String.format(Locale.ROOT, "%04X", (int) c);
          break;
        }
      }
    }
    if (why != null) {
      throw new SchemaRegistryException(
          422,
          SchemaRegistryException.INVALID_SUBJECT,
          "Invalid subject '" + printable(name) + "': " + why);
    }
    return name;
  }

  /** A name for a message: control characters escaped, cut at 80 characters. */
  private static String printable(String name) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length() && out.length() < 80; i++) {
      char c = name.charAt(i);
      out.append(Character.isISOControl(c) ? String.format(Locale.ROOT, "\\u%04x", (int) c) : c);
    }
    return name.length() > 80 ? out + "..." : out.toString();
  }

  private static void requireMethod(Request request, String... allowed) {
    for (String method : allowed) {
      if (method.equals(request.method())) {
        return;
      }
    }
    throw new RequestException(
        405,
        405,
        "HTTP 405 Method Not Allowed: "
            + request.method()
            + " "
            + request.path()
            + " (this registry allows "
            + String.join(", ", allowed)
            + ")");
  }

  private Response subjects() {
    ArrayNode list = JSON.createArrayNode();
    registry.subjects().forEach(list::add);
    return Response.json(list);
  }

  private Response versions(String subject) {
    ArrayNode list = JSON.createArrayNode();
    registry.versions(subject).forEach(list::add);
    return Response.json(list);
  }

  private Response register(String subject, Request request) {
    Schema schema = schemaOf(request);
    ObjectNode node = JSON.createObjectNode();
    node.put("id", registry.register(subject, schema));
    return Response.json(node);
  }

  private Response lookup(String subject, Request request) {
    Schema schema = schemaOf(request);
    return Response.json(describe(registry.lookupVersion(subject, schema)));
  }

  private Response compatibility(String subject, String version, Request request) {
    Schema schema = schemaOf(request);
    List<String> problems;
    if (version == null) {
      registry.versions(subject); // 40401 for an unknown subject, as Confluent answers
      problems = registry.incompatibilities(subject, schema);
    } else if (isLatest(version)) {
      registry.versions(subject);
      problems = registry.incompatibilities(subject, schema);
    } else {
      problems =
          registry.incompatibilitiesWithVersion(subject, schema, parseVersionNumber(version));
    }
    ObjectNode node = JSON.createObjectNode();
    node.put("is_compatible", problems.isEmpty());
    if (Boolean.parseBoolean(request.query().getOrDefault("verbose", "false"))) {
      ArrayNode messages = node.putArray("messages");
      problems.forEach(messages::add);
    }
    return Response.json(node);
  }

  private Response subjectConfig(String subject, Request request) {
    switch (request.method()) {
      case "GET" -> {
        Optional<CompatibilityLevel> own = registry.subjectCompatibility(subject);
        if (own.isPresent()) {
          return level("compatibilityLevel", own.get());
        }
        if (Boolean.parseBoolean(request.query().getOrDefault("defaultToGlobal", "false"))) {
          return level("compatibilityLevel", registry.globalCompatibility());
        }
        throw new SchemaRegistryException(
            404,
            SchemaRegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
            "Subject '" + subject + "' does not have subject-level compatibility configured");
      }
      case "PUT" -> {
        CompatibilityLevel level = parseLevel(request);
        registry.setSubjectCompatibility(subject, level);
        return level("compatibility", level);
      }
      default -> {
        CompatibilityLevel before = registry.effectiveCompatibility(subject);
        registry.deleteSubjectCompatibility(subject);
        return level("compatibilityLevel", before);
      }
    }
  }

  private static Response level(String field, CompatibilityLevel level) {
    ObjectNode node = JSON.createObjectNode();
    node.put(field, level.name());
    return Response.json(node);
  }

  private static ObjectNode describe(RegisteredSchema r) {
    ObjectNode node = JSON.createObjectNode();
    node.put("subject", r.subject());
    node.put("version", r.version());
    node.put("id", r.id());
    node.put("schema", InMemorySchemaRegistry.canonical(r.schema()));
    return node;
  }

  private RegisteredSchema version(String subject, String version) {
    if (isLatest(version)) {
      return registry.latest(subject);
    }
    return registry.version(subject, parseVersionNumber(version));
  }

  private static boolean isLatest(String version) {
    return version.equalsIgnoreCase("latest") || version.equals("-1");
  }

  private static int parseVersionNumber(String version) {
    try {
      int v = Integer.parseInt(version);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new SchemaRegistryException(
        422,
        SchemaRegistryException.INVALID_VERSION,
        "The specified version '"
            + version
            + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string"
            + " \"latest\"");
  }

  private static int parseId(String id) {
    try {
      return Integer.parseInt(id);
    } catch (NumberFormatException e) {
      throw new SchemaRegistryException(
          404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }
  }

  private static JsonNode body(Request request) {
    if (request.body().length == 0) {
      throw new RequestException(400, 400, "The request has no body");
    }
    try {
      JsonNode node = JSON.readTree(request.body());
      if (node == null || !node.isObject()) {
        throw new RequestException(400, 400, "The request body is not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new RequestException(
          400, 400, "The request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new RequestException(400, 400, "The request body cannot be read: " + e.getMessage());
    }
  }

  private static Schema schemaOf(Request request) {
    JsonNode body = body(request);
    JsonNode type = body.get("schemaType");
    if (type != null && !type.isNull() && !type.asText().equalsIgnoreCase("AVRO")) {
      throw new SchemaRegistryException(
          422,
          SchemaRegistryException.INVALID_SCHEMA,
          "Schema type " + type.asText() + " is not supported: this registry holds AVRO schemas");
    }
    JsonNode references = body.get("references");
    if (references != null && references.isArray() && !references.isEmpty()) {
      throw new SchemaRegistryException(
          422,
          SchemaRegistryException.INVALID_SCHEMA,
          "Schema references are not supported by this registry; inline the referenced types");
    }
    JsonNode id = body.get("id");
    if (id != null && !id.isNull() && id.asInt(-1) > 0) {
      throw new SchemaRegistryException(
          422,
          SchemaRegistryException.INVALID_SCHEMA,
          "Registering with an explicit id (IMPORT mode) is not supported by this registry");
    }
    JsonNode schema = body.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw new SchemaRegistryException(
          422,
          SchemaRegistryException.INVALID_SCHEMA,
          "Invalid schema: the request has no \"schema\" string");
    }
    return InMemorySchemaRegistry.parseSchema(schema.asText());
  }

  private static CompatibilityLevel parseLevel(Request request) {
    JsonNode body = body(request);
    JsonNode value =
        body.has("compatibility") ? body.get("compatibility") : body.get("compatibilityLevel");
    if (value == null || !value.isTextual()) {
      throw new SchemaRegistryException(
          422,
          SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
          "Invalid compatibility level: the request has no \"compatibility\" string");
    }
    try {
      return CompatibilityLevel.parse(value.asText());
    } catch (IllegalArgumentException e) {
      throw new SchemaRegistryException(
          422,
          SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
          "Invalid compatibility level. Valid values are none, backward, forward, full,"
              + " backward_transitive, forward_transitive, and full_transitive: "
              + e.getMessage());
    }
  }
}
