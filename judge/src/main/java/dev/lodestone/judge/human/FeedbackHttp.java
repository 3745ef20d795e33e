package dev.lodestone.judge.human;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lodestone.schemas.avro.PreferenceLabel;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feedback service's HTTP side: the labelling page, the statistics page and the JSON API
 * described by {@code /openapi.json}.
 *
 * <p>Security:
 *
 * <ul>
 *   <li>Every API call and page needs an annotator: a bearer token ({@code Authorization: Bearer
 *       lst_...}), or a session cookie that the page's sign-in form gives for a token. A revoked
 *       token is refused at once, its sessions too.
 *   <li>Calls that change something with a session cookie must carry the session's CSRF token in
 *       {@code X-CSRF-Token} (the page does); the cookie is {@code HttpOnly} and {@code
 *       SameSite=Strict}. Bearer calls carry no ambient credentials and need none.
 *   <li>Each token may make {@link FeedbackConfig#requestsPerSecond()} requests a second (429
 *       beyond); bodies above {@link FeedbackConfig#MAX_REQUEST_BYTES} and rationales above {@link
 *       FeedbackConfig#maxRationaleChars()} are refused (413).
 *   <li>Pages are sent with a Content-Security-Policy that allows no inline script; the page writes
 *       responses with {@code textContent}, so HTML in a response shows as text.
 *   <li>Nothing logs a token or a request's headers.
 * </ul>
 */
final class FeedbackHttp implements AutoCloseable {
  static final String SESSION_COOKIE = "lodestone_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final Duration SESSION_LIFETIME = Duration.ofHours(12);
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
          + " img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  private static final Logger LOG = LoggerFactory.getLogger(FeedbackHttp.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String RESOURCES = "/dev/lodestone/judge/human/";

  private final FeedbackService service;
  private final FeedbackConfig config;
  private final Javalin app;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();
  private final RateLimiterConfig limits;

  /** A signed-in page. */
  private record Session(String annotator, String tokenId, String csrf, Instant expires) {}

  /** Who is calling. */
  private record Caller(String annotator, String tokenId, Session session) {}

  FeedbackHttp(FeedbackService service, FeedbackConfig config) {
    this.service = service;
    this.config = config;
    this.limits =
        RateLimiterConfig.custom()
            .limitForPeriod(config.requestsPerSecond())
            .limitRefreshPeriod(Duration.ofSeconds(1))
            .timeoutDuration(Duration.ZERO)
            .build();
    this.app =
        Javalin.create(
            c -> {
              c.showJavalinBanner = false;
              c.http.maxRequestSize = FeedbackConfig.MAX_REQUEST_BYTES;
              c.http.defaultContentType = "application/json";
            });
    routes();
    app.start(config.host(), config.port());
  }

  /** The port the server listens on. */
  int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  private void routes() {
    app.exception(
        FeedbackException.class, (e, ctx) -> ctx.status(e.status()).json(error(e.getMessage())));
    app.exception(
        io.javalin.http.HttpResponseException.class,
        (e, ctx) -> ctx.status(e.getStatus()).json(error(e.getMessage())));
    app.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.warn("feedback: {} {} failed", ctx.method(), ctx.path(), e);
          ctx.status(500).json(error("internal error: " + e.getClass().getSimpleName()));
        });
    app.error(
        404,
        ctx -> {
          if (ctx.result() == null) {
            ctx.json(error("no such resource: " + ctx.method() + " " + ctx.path()));
          }
        });

    app.get("/health", ctx -> ctx.json(Map.of("status", "UP")));
    app.get(
        "/openapi.json",
        ctx -> ctx.contentType("application/json").result(resource("openapi.json")));
    app.get("/page.js", ctx -> ctx.contentType("text/javascript").result(resource("page.js")));
    app.get("/style.css", ctx -> ctx.contentType("text/css").result(resource("style.css")));

    app.get("/", this::page);
    app.post("/login", this::login);
    app.post("/logout", this::logout);
    app.get("/stats", this::statsPage);

    app.get("/api/v1/me", ctx -> me(ctx, caller(ctx, false)));
    app.post("/api/v1/items/next", this::next);
    app.post("/api/v1/items/{itemId}/verdict", this::verdict);
    app.get("/api/v1/labels", this::labels);
    app.get("/api/v1/stats", this::stats);
  }

  // ---- pages ---------------------------------------------------------------------------------

  private void page(Context ctx) {
    Optional<Session> s = session(ctx);
    securePage(ctx);
    if (s.isEmpty()) {
      ctx.html(render(resource("login.html"), Map.of("message", "")));
      return;
    }
    ctx.html(
        render(
            resource("page.html"),
            Map.of("annotator", s.get().annotator(), "csrf", s.get().csrf())));
  }

  private void login(Context ctx) {
    securePage(ctx);
    String token = ctx.formParam("token");
    TokenAuthenticator.Result r = service.tokens().check(token == null ? null : token.trim());
    if (r instanceof TokenAuthenticator.Valid v) {
      String id = randomToken();
      Session s =
          new Session(
              v.annotator(), v.tokenId(), randomToken(), Instant.now().plus(SESSION_LIFETIME));
      sessions.put(id, s);
      Cookie c = new Cookie(SESSION_COOKIE, id);
      c.setHttpOnly(true);
      c.setSameSite(SameSite.STRICT);
      c.setPath("/");
      c.setMaxAge((int) SESSION_LIFETIME.toSeconds());
      ctx.cookie(c);
      ctx.redirect("/", io.javalin.http.HttpStatus.SEE_OTHER);
      return;
    }
    String message =
        r instanceof TokenAuthenticator.Revoked ? "This token has been revoked." : "Unknown token.";
    ctx.status(401).html(render(resource("login.html"), Map.of("message", message)));
  }

  private void logout(Context ctx) {
    Optional<Session> s = session(ctx);
    if (s.isPresent()) {
      String csrf = ctx.formParam("csrf");
      if (csrf == null
          || !MessageDigest.isEqual(
              csrf.getBytes(StandardCharsets.UTF_8),
              s.get().csrf().getBytes(StandardCharsets.UTF_8))) {
        throw new FeedbackException(403, "missing or wrong csrf form field");
      }
      sessions.values().remove(s.get());
    }
    ctx.removeCookie(SESSION_COOKIE, "/");
    ctx.redirect("/", io.javalin.http.HttpStatus.SEE_OTHER);
  }

  private void statsPage(Context ctx) {
    securePage(ctx);
    Optional<Session> s = session(ctx);
    if (s.isEmpty()) {
      ctx.redirect("/", io.javalin.http.HttpStatus.SEE_OTHER);
      return;
    }
    Map<String, Double> v = service.values();
    StringBuilder rows = new StringBuilder();
    v.forEach(
        (k, x) ->
            rows.append("<tr><td>")
                .append(escape(k))
                .append("</td><td>")
                .append(Double.isNaN(x) ? "n/a" : String.format(java.util.Locale.ROOT, "%.4g", x))
                .append("</td></tr>\n"));
    ctx.html(
        render(
                resource("stats.html"),
                Map.of("annotator", s.get().annotator(), "csrf", s.get().csrf()))
            .replace("<!--rows-->", rows.toString()));
  }

  // ---- the API -------------------------------------------------------------------------------

  private void me(Context ctx, Caller c) {
    ObjectNode o = JSON.createObjectNode();
    o.put("annotator", c.annotator());
    o.put("answered", service.answered(c.annotator()));
    o.put("waitingPairs", service.waitingPairs());
    o.put("quorum", config.quorum());
    ctx.json(o);
  }

  private void next(Context ctx) {
    Caller c = caller(ctx, true);
    Optional<FeedbackQueue.Item> item = service.next(c.annotator());
    if (item.isEmpty()) {
      ctx.status(204);
      return;
    }
    FeedbackQueue.Item i = item.get();
    ObjectNode o = JSON.createObjectNode();
    o.put("itemId", i.itemId());
    o.put("groupId", i.groupId());
    o.put("task", i.task());
    o.put("modelId", i.modelId());
    o.put("policyVersion", i.policyVersion());
    o.set("prompt", text(i.prompt()));
    o.set("a", text(i.first()));
    o.set("b", text(i.second()));
    o.put("leaseExpires", i.expires().toString());
    o.put("waitingPairs", service.waitingPairs());
    o.put("answered", service.answered(c.annotator()));
    ctx.json(o);
  }

  private void verdict(Context ctx) throws InterruptedException {
    Caller c = caller(ctx, true);
    JsonNode body;
    try {
      body = JSON.readTree(ctx.bodyAsBytes());
    } catch (IOException e) {
      throw new FeedbackException(400, "the body is not JSON: " + firstLine(e.getMessage()));
    }
    if (body == null || !body.isObject()) {
      throw new FeedbackException(400, "the body must be a JSON object with a verdict");
    }
    JsonNode v = body.get("verdict");
    if (v == null || !v.isTextual()) {
      throw new FeedbackException(400, "verdict must be one of A, B, TIE, BOTH_BAD, SKIP");
    }
    Answer answer;
    try {
      answer = Answer.parse(v.asText());
    } catch (IllegalArgumentException e) {
      throw new FeedbackException(400, e.getMessage());
    }
    JsonNode r = body.get("rationale");
    String rationale = null;
    if (r != null && !r.isNull()) {
      if (!r.isTextual()) {
        throw new FeedbackException(400, "rationale must be a string");
      }
      rationale = r.asText();
      if (rationale.length() > config.maxRationaleChars()) {
        throw new FeedbackException(
            413,
            "rationale has "
                + rationale.length()
                + " characters, more than the "
                + config.maxRationaleChars()
                + " allowed");
      }
    }
    Optional<PreferenceLabel> label =
        service.answer(c.annotator(), ctx.pathParam("itemId"), answer, rationale);
    ObjectNode o = JSON.createObjectNode();
    o.put("itemId", ctx.pathParam("itemId"));
    o.put("published", label.isPresent());
    o.set("label", label.map(FeedbackHttp::labelJson).orElse(null));
    o.put("answered", service.answered(c.annotator()));
    ctx.json(o);
  }

  private void labels(Context ctx) {
    Caller c = caller(ctx, false);
    int limit = 20;
    String l = ctx.queryParam("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        throw new FeedbackException(400, "limit must be a whole number, got '" + l + "'");
      }
      if (limit < 1 || limit > 50) {
        throw new FeedbackException(400, "limit must be in [1, 50], got " + limit);
      }
    }
    ArrayNode a = JSON.createArrayNode();
    for (PreferenceLabel label : service.recent(c.annotator(), limit)) {
      a.add(labelJson(label));
    }
    ObjectNode o = JSON.createObjectNode();
    o.put("annotator", c.annotator());
    o.set("labels", a);
    ctx.json(o);
  }

  private void stats(Context ctx) {
    caller(ctx, false);
    ObjectNode o = JSON.createObjectNode();
    service
        .values()
        .forEach(
            (k, x) -> {
              if (Double.isNaN(x)) {
                o.putNull(k);
              } else {
                o.put(k, x);
              }
            });
    ctx.json(o);
  }

  // ---- who is calling ------------------------------------------------------------------------

  /**
   * The caller of an API request, rate-limited per token.
   *
   * @param changes whether the request changes something (a session then needs its CSRF token)
   */
  private Caller caller(Context ctx, boolean changes) {
    String auth = ctx.header("Authorization");
    Caller c;
    if (auth != null) {
      if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw unauthorized("the Authorization header must be 'Bearer <token>'");
      }
      TokenAuthenticator.Result r = service.tokens().check(auth.substring(7).trim());
      if (r instanceof TokenAuthenticator.Valid v) {
        c = new Caller(v.annotator(), v.tokenId(), null);
      } else if (r instanceof TokenAuthenticator.Revoked) {
        throw unauthorized("this token has been revoked");
      } else {
        throw unauthorized("unknown token");
      }
    } else {
      Session s =
          session(ctx)
              .orElseThrow(
                  () ->
                      unauthorized(
                          "no token: send 'Authorization: Bearer <token>' (lodestone feedback"
                              + " tokens add creates one)"));
      if (changes) {
        String csrf = ctx.header(CSRF_HEADER);
        if (csrf == null
            || !MessageDigest.isEqual(
                csrf.getBytes(StandardCharsets.UTF_8), s.csrf().getBytes(StandardCharsets.UTF_8))) {
          throw new FeedbackException(403, "missing or wrong " + CSRF_HEADER + " header");
        }
      }
      c = new Caller(s.annotator(), s.tokenId(), s);
    }
    RateLimiter limiter = limiters.computeIfAbsent(c.tokenId(), id -> RateLimiter.of(id, limits));
    if (!limiter.acquirePermission()) {
      ctx.header("Retry-After", "1");
      throw new FeedbackException(
          429, "more than " + config.requestsPerSecond() + " requests a second with this token");
    }
    return c;
  }

  /** The page's session, if its cookie names a live one whose token is still active. */
  private Optional<Session> session(Context ctx) {
    String id = ctx.cookie(SESSION_COOKIE);
    if (id == null) {
      return Optional.empty();
    }
    Session s = sessions.get(id);
    if (s == null) {
      return Optional.empty();
    }
    boolean active =
        service
            .tokens()
            .tokens()
            .find(s.tokenId())
            .map(AnnotatorTokens.Token::active)
            .orElse(false);
    if (!active || Instant.now().isAfter(s.expires())) {
      sessions.remove(id);
      return Optional.empty();
    }
    return Optional.of(s);
  }

  private static FeedbackException unauthorized(String message) {
    return new FeedbackException(401, message);
  }

  private static void securePage(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
  }

  // ---- helpers -------------------------------------------------------------------------------

  private ObjectNode text(String t) {
    ObjectNode o = JSON.createObjectNode();
    boolean cut = t.length() > config.maxResponseChars();
    o.put("text", cut ? t.substring(0, config.maxResponseChars()) : t);
    o.put("truncated", cut);
    o.put("length", t.length());
    return o;
  }

  static ObjectNode labelJson(PreferenceLabel l) {
    ObjectNode o = JSON.createObjectNode();
    o.put("groupId", l.getGroupId());
    o.put("i", l.getI());
    o.put("j", l.getJ());
    o.put("probability", l.getProbability());
    o.put("verdict", l.getVerdict() == null ? null : l.getVerdict().name());
    o.put("rationale", l.getRationale());
    o.put("shownFirst", l.getShownFirst());
    o.put("responseMillis", l.getResponseMillis());
    o.put("time", l.getTime().toString());
    return o;
  }

  private static Map<String, String> error(String message) {
    return Map.of("error", message == null ? "error" : message);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String randomToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

  static String resource(String name) {
    return CACHE.computeIfAbsent(
        name,
        n -> {
          try (InputStream in = FeedbackHttp.class.getResourceAsStream(RESOURCES + n)) {
            if (in == null) {
              throw new IllegalStateException("missing resource " + n);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** Replaces each {{key}} with the HTML-escaped value. */
  static String render(String template, Map<String, String> values) {
    String out = template;
    for (Map.Entry<String, String> e : values.entrySet()) {
      out = out.replace("{{" + e.getKey() + "}}", escape(e.getValue()));
    }
    return out;
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }
}
