package dev.lodestone.schemas.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for Confluent Schema Registry's REST API over {@code java.net.http}, using only the
 * subset that Confluent's registry, Apicurio's Confluent-compatible API ({@code .../apis/ccompat/
 * v7}) and Karapace all serve: {@code POST /subjects/{s}/versions}, {@code POST /subjects/{s}},
 * {@code GET /schemas/ids/{id}}, {@code GET /subjects}, {@code GET /subjects/{s}/versions}, {@code
 * GET /subjects/{s}/versions/{v|latest}}, {@code POST /compatibility/subjects/{s}/versions/latest},
 * {@code GET|PUT /config} and {@code GET|PUT|DELETE /config/{s}}.
 *
 * <p>Schemas by id and ids by (subject, schema) are cached: they never change once assigned.
 * Subjects, versions and levels are always fetched. Connection failures and HTTP 5xx answers are
 * retried with exponential backoff; other failures are thrown at once as {@link
 * SchemaRegistryException} with the HTTP status and Confluent {@code error_code}. Basic
 * authentication comes from {@link Builder#userInfo(String)} or the URL's user info ({@code
 * http://user:password@host:8081}). Subjects are URL-encoded. Thread-safe.
 *
 * <p>{@link #testCompatibility(String, Schema)} asks {@code .../versions/latest}: Lodestone's
 * embedded registry answers for every version under a transitive level, some servers for the latest
 * version only.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(RestSchemaRegistryClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Content type of requests, Confluent's versioned JSON. */
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; q=0.9,"
          + " application/json; q=0.5";

  private record SubjectSchema(String subject, String canonical) {}

  private final String baseUrl;
  private final Optional<String> authorization;
  private final Duration requestTimeout;
  private final int maxRetries;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final HttpClient http;
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, RegisteredSchema> versionsBySchema = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> idsBySchema = new ConcurrentHashMap<>();

  /** A client with default settings for the registry at this base URL. */
  public RestSchemaRegistryClient(String url) {
    this(builder(url));
  }

  private RestSchemaRegistryClient(Builder builder) {
    URI uri = parseUrl(builder.url);
    String userInfo = builder.userInfo;
    if (userInfo == null && uri.getRawUserInfo() != null) {
      userInfo = URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
    }
    this.authorization =
        Optional.ofNullable(userInfo)
            .map(
                info ->
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString(info.getBytes(StandardCharsets.UTF_8)));
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    this.baseUrl =
        uri.getScheme()
            + "://"
            + uri.getHost()
            + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
            + path;
    this.requestTimeout = builder.requestTimeout;
    this.maxRetries = builder.maxRetries;
    this.initialBackoff = builder.initialBackoff;
    this.maxBackoff = builder.maxBackoff;
    HttpClient.Builder http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(builder.connectTimeout);
    if (builder.sslContext != null) {
      http.sslContext(builder.sslContext);
    }
    this.http = http.build();
  }

  private static URI parseUrl(String url) {
    Objects.requireNonNull(url, "url");
    try {
      URI uri = new URI(url.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // answered below
    }
    throw new IllegalArgumentException(
        "schema registry url '"
            + url
            + "' is not an absolute http(s) URL such as"
            + " http://localhost:8081");
  }

  /** A builder for a client of the registry at this base URL. */
  public static Builder builder(String url) {
    return new Builder(url);
  }

  /** The base URL requests go to (without user info). */
  public String url() {
    return baseUrl;
  }

  @Override
  public int register(String subject, Schema schema) {
    SubjectSchema key = key(subject, schema);
    Integer cached = idsBySchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode response =
        call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
    int id = requiredInt(response, "id");
    idsBySchema.put(key, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode response = call("GET", "/schemas/ids/" + id, null);
    Schema schema = parseReturned(requiredText(response, "schema"), "schema id " + id);
    Schema previous = schemasById.putIfAbsent(id, schema);
    return previous != null ? previous : schema;
  }

  @Override
  public RegisteredSchema lookupVersion(String subject, Schema schema) {
    SubjectSchema key = key(subject, schema);
    RegisteredSchema cached = versionsBySchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode response = call("POST", "/subjects/" + encode(subject), schemaBody(schema));
    RegisteredSchema found =
        new RegisteredSchema(
            subject, requiredInt(response, "id"), requiredInt(response, "version"), schema);
    versionsBySchema.put(key, found);
    idsBySchema.put(key, found.id());
    schemasById.putIfAbsent(found.id(), schema);
    return found;
  }

  @Override
  public int lookup(String subject, Schema schema) {
    Integer cached = idsBySchema.get(key(subject, schema));
    return cached != null ? cached : lookupVersion(subject, schema).id();
  }

  @Override
  public List<String> subjects() {
    JsonNode response = call("GET", "/subjects", null);
    List<String> subjects = new ArrayList<>();
    for (JsonNode node : requireArray(response, "subjects")) {
      subjects.add(node.asText());
    }
    subjects.sort(null);
    return List.copyOf(subjects);
  }

  @Override
  public List<Integer> versions(String subject) {
    requireSubject(subject);
    JsonNode response = call("GET", "/subjects/" + encode(subject) + "/versions", null);
    List<Integer> versions = new ArrayList<>();
    for (JsonNode node : requireArray(response, "versions")) {
      versions.add(node.asInt());
    }
    versions.sort(null);
    return List.copyOf(versions);
  }

  @Override
  public RegisteredSchema latest(String subject) {
    return fetchVersion(subject, "latest");
  }

  @Override
  public RegisteredSchema version(String subject, int version) {
    if (version < 1) {
      throw new SchemaRegistryException(
          422,
          SchemaRegistryException.INVALID_VERSION,
          "version of subject '" + subject + "' must be >= 1, got " + version);
    }
    return fetchVersion(subject, Integer.toString(version));
  }

  private RegisteredSchema fetchVersion(String subject, String version) {
    requireSubject(subject);
    JsonNode response = call("GET", "/subjects/" + encode(subject) + "/versions/" + version, null);
    int id = requiredInt(response, "id");
    Schema schema = schemasById.get(id);
    if (schema == null) {
      schema = parseReturned(requiredText(response, "schema"), "subject " + subject);
      schemasById.putIfAbsent(id, schema);
    }
    return new RegisteredSchema(subject, id, requiredInt(response, "version"), schema);
  }

  @Override
  public boolean testCompatibility(String subject, Schema schema) {
    requireSubject(subject);
    try {
      JsonNode response =
          call(
              "POST",
              "/compatibility/subjects/" + encode(subject) + "/versions/latest",
              schemaBody(schema));
      JsonNode value = response.get("is_compatible");
      if (value == null || !value.isBoolean()) {
        throw unexpected("no boolean \"is_compatible\" in " + response);
      }
      return value.asBoolean();
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND
          || e.errorCode() == SchemaRegistryException.VERSION_NOT_FOUND) {
        return true; // nothing registered under the subject: anything may be its first version
      }
      throw e;
    }
  }

  @Override
  public CompatibilityLevel globalCompatibility() {
    return levelOf(call("GET", "/config", null));
  }

  @Override
  public void setGlobalCompatibility(CompatibilityLevel level) {
    call("PUT", "/config", levelBody(level));
  }

  @Override
  public Optional<CompatibilityLevel> subjectCompatibility(String subject) {
    requireSubject(subject);
    try {
      return Optional.of(levelOf(call("GET", "/config/" + encode(subject), null)));
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED
          || e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public void setSubjectCompatibility(String subject, CompatibilityLevel level) {
    requireSubject(subject);
    call("PUT", "/config/" + encode(subject), levelBody(level));
  }

  @Override
  public void deleteSubjectCompatibility(String subject) {
    requireSubject(subject);
    try {
      call("DELETE", "/config/" + encode(subject), null);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() != SchemaRegistryException.SUBJECT_COMPATIBILITY_NOT_CONFIGURED
          && e.errorCode() != SchemaRegistryException.SUBJECT_NOT_FOUND) {
        throw e;
      }
    }
  }

  /** Forgets every cached schema and id. */
  public void clearCaches() {
    schemasById.clear();
    idsBySchema.clear();
    versionsBySchema.clear();
  }

  private CompatibilityLevel levelOf(JsonNode response) {
    JsonNode value = response.get("compatibilityLevel");
    if (value == null) {
      value = response.get("compatibility");
    }
    if (value == null || !value.isTextual()) {
      throw unexpected("no \"compatibilityLevel\" in " + response);
    }
    try {
      return CompatibilityLevel.parse(value.asText());
    } catch (IllegalArgumentException e) {
      throw new SchemaRegistryException(
          200, SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL, e.getMessage(), e);
    }
  }

  private static ObjectNode schemaBody(Schema schema) {
    Objects.requireNonNull(schema, "schema");
    ObjectNode body = JSON.createObjectNode();
    body.put("schema", InMemorySchemaRegistry.canonical(schema));
    return body;
  }

  private static ObjectNode levelBody(CompatibilityLevel level) {
    Objects.requireNonNull(level, "level");
    ObjectNode body = JSON.createObjectNode();
    body.put("compatibility", level.name());
    return body;
  }

  private JsonNode call(String method, String path, JsonNode body) {
    String uri = baseUrl + path;
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(uri)).timeout(requestTimeout).header("Accept", ACCEPT);
    authorization.ifPresent(value -> request.header("Authorization", value));
    if (body != null) {
      request
          .header("Content-Type", CONTENT_TYPE)
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpRequest built = request.build();
    for (int attempt = 0; ; attempt++) {
      SchemaRegistryException failure;
      try {
        HttpResponse<String> response =
            http.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return parseBody(method, uri, response.body());
        }
        failure = errorOf(method, uri, status, response.body());
        if (status < 500) {
          throw failure;
        }
      } catch (IOException e) {
        failure =
            new SchemaRegistryException(
                SchemaRegistryException.NO_RESPONSE,
                SchemaRegistryException.NO_RESPONSE,
                method + " " + uri + ": no response from the schema registry: " + e,
                e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SchemaRegistryException(
            SchemaRegistryException.NO_RESPONSE,
            SchemaRegistryException.NO_RESPONSE,
            method + " " + uri + ": interrupted",
            e);
      }
      if (attempt >= maxRetries) {
        throw failure;
      }
      long backoff = backoffMillis(attempt);
      LOG.warn(
          "schema registry request failed (attempt {} of {}), retrying in {} ms: {}",
          attempt + 1,
          maxRetries + 1,
          backoff,
          failure.getMessage());
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure.addSuppressed(e);
        throw failure;
      }
    }
  }

  private long backoffMillis(int attempt) {
    long base = initialBackoff.toMillis() << Math.min(attempt, 20);
    long capped = Math.min(base, maxBackoff.toMillis());
    // Up to 20% jitter, so that many clients do not retry in step.
    return capped - ThreadLocalRandom.current().nextLong(capped / 5 + 1);
  }

  private static JsonNode parseBody(String method, String uri, String body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null) {
        throw new SchemaRegistryException(
            200, 200, method + " " + uri + ": the schema registry sent an empty body");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new SchemaRegistryException(
          200,
          200,
          method + " " + uri + ": the schema registry sent a body that is not JSON: " + clip(body),
          e);
    }
  }

  private static SchemaRegistryException errorOf(
      String method, String uri, int status, String body) {
    int code = status;
    String message = clip(body);
    try {
      JsonNode node = JSON.readTree(body);
      if (node != null && node.has("error_code")) {
        code = node.get("error_code").asInt(status);
        message = node.path("message").asText(message);
      }
    } catch (JsonProcessingException e) {
      // not a Confluent error body; keep the status and the raw text
    }
    return new SchemaRegistryException(
        status, code, method + " " + uri + ": HTTP " + status + " (" + code + "): " + message);
  }

  private static String clip(String text) {
    if (text == null) {
      return "";
    }
    return text.length() <= 500 ? text : text.substring(0, 500) + "...";
  }

  private static SchemaRegistryException unexpected(String what) {
    return new SchemaRegistryException(200, 200, "unexpected schema registry answer: " + what);
  }

  private static int requiredInt(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToInt()) {
      throw unexpected("no int \"" + field + "\" in " + clip(node.toString()));
    }
    return value.asInt();
  }

  private static String requiredText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw unexpected("no string \"" + field + "\" in " + clip(node.toString()));
    }
    return value.asText();
  }

  private static JsonNode requireArray(JsonNode node, String what) {
    if (!node.isArray()) {
      throw unexpected("expected a JSON array of " + what + ", got " + clip(node.toString()));
    }
    return node;
  }

  private static Schema parseReturned(String text, String what) {
    try {
      return InMemorySchemaRegistry.parseSchema(text);
    } catch (SchemaRegistryException e) {
      throw new SchemaRegistryException(
          200,
          SchemaRegistryException.INVALID_SCHEMA,
          "the schema registry returned an unparsable schema for " + what + ": " + e.getMessage(),
          e);
    }
  }

  private static SubjectSchema key(String subject, Schema schema) {
    requireSubject(subject);
    Objects.requireNonNull(schema, "schema");
    return new SubjectSchema(subject, InMemorySchemaRegistry.canonical(schema));
  }

  private static void requireSubject(String subject) {
    Objects.requireNonNull(subject, "subject");
    if (subject.isBlank()) {
      throw new IllegalArgumentException("subject must not be blank, got '" + subject + "'");
    }
  }

  /** Percent-encodes a path segment (a space becomes %20, a slash %2F). */
  static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Settings of a {@link RestSchemaRegistryClient}. */
  public static final class Builder {
    private final String url;
    private String userInfo;
    private SSLContext sslContext;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private int maxRetries = 3;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(2);

    private Builder(String url) {
      parseUrl(url);
      this.url = url;
    }

    /** Basic-auth credentials, {@code user:password}; overrides user info in the URL. */
    public Builder userInfo(String userInfo) {
      Objects.requireNonNull(userInfo, "userInfo");
      if (!userInfo.contains(":")) {
        throw new IllegalArgumentException(
            "userInfo must be 'user:password' (with a colon), got a value without one");
      }
      this.userInfo = userInfo;
      return this;
    }

    /** The TLS context of an https:// registry (default: the JVM's trusted authorities). */
    public Builder sslContext(SSLContext context) {
      this.sslContext = Objects.requireNonNull(context, "context");
      return this;
    }

    /** Time allowed to open a connection (default 10 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /** Time allowed for one request, from sending to the end of the response (default 30 s). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive("requestTimeout", timeout);
      return this;
    }

    /** Retries after a connection failure or an HTTP 5xx answer (default 3; 0 to never retry). */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0) {
        throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /** Wait before the first retry; doubled for each later one (default 100 ms). */
    public Builder initialBackoff(Duration backoff) {
      this.initialBackoff = positive("initialBackoff", backoff);
      return this;
    }

    /** Longest wait between retries (default 2 s). */
    public Builder maxBackoff(Duration backoff) {
      this.maxBackoff = positive("maxBackoff", backoff);
      return this;
    }

    /** The client. */
    public RestSchemaRegistryClient build() {
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff ("
                + maxBackoff
                + ") must not be shorter than initialBackoff ("
                + initialBackoff
                + ")");
      }
      return new RestSchemaRegistryClient(this);
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + value);
      }
      return value;
    }
  }
}
