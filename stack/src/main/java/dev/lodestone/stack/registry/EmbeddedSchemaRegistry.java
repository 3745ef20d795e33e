package dev.lodestone.stack.registry;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import dev.lodestone.schemas.registry.SchemaRegistryException;
import dev.lodestone.stack.registry.internal.RegistryHttpHandler;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry server in this JVM: speaks the common subset of Confluent Schema Registry's
 * REST API (the subset {@link RestSchemaRegistryClient} uses, enough for Confluent's own client)
 * over an {@link InMemorySchemaRegistry}, optionally persisted in a data directory so that ids and
 * versions survive restarts.
 *
 * <p>Served: {@code GET /subjects}, {@code POST /subjects/{s}} (lookup), {@code GET|POST
 * /subjects/{s}/versions}, {@code GET /subjects/{s}/versions/{v|latest}[/schema]}, {@code GET
 * /schemas/ids/{id}[/schema|/versions]}, {@code GET /schemas/types}, {@code POST
 * /compatibility/subjects/{s}/versions[/{v|latest}]}, {@code GET|PUT /config}, {@code
 * GET|PUT|DELETE /config/{s}}. Not served: deletes of subjects or versions, modes, contexts, schema
 * references and non-Avro schema types.
 *
 * <p>Lifecycle: {@link #start} returns a running server; {@link #close()} stops it and releases the
 * data directory. Requests are served by a pool of threads; the storage is thread-safe.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

  /** Threads serving requests. */
  public static final int SERVER_THREADS = 8;

  private final HttpServer server;
  private final ExecutorService executor;
  private final InMemorySchemaRegistry registry;
  private final String url;
  private final int port;
  private volatile boolean closed;

  private EmbeddedSchemaRegistry(
      HttpServer server, ExecutorService executor, InMemorySchemaRegistry registry, String url) {
    this.server = server;
    this.executor = executor;
    this.registry = registry;
    this.url = url;
    this.port = server.getAddress().getPort();
  }

  /**
   * Starts a registry listening on {@code host:port}.
   *
   * @param host the address to listen on, e.g. {@code 127.0.0.1} (or {@code 0.0.0.0} for all)
   * @param port the port, or 0 for an ephemeral one (see {@link #port()})
   * @param dataDir where to persist registrations and configuration, or empty to keep them in
   *     memory only
   * @return the running server
   * @throws RegistryStartException when the port is in use, the host does not resolve or the data
   *     directory cannot be used; the message names host and port
   */
  public static EmbeddedSchemaRegistry start(String host, int port, Optional<Path> dataDir) {
    return start(host, port, dataDir, null, Map.of());
  }

  /**
   * Starts a registry listening on {@code host:port}, over HTTPS when {@code tls} is given, and
   * asking every request for basic authentication by one of {@code users} when there are any (401
   * otherwise).
   *
   * @param tls the server's TLS context, or null for plain HTTP
   * @param users user names and their passwords; empty for no authentication
   */
  public static EmbeddedSchemaRegistry start(
      String host, int port, Optional<Path> dataDir, SSLContext tls, Map<String, String> users) {
    Objects.requireNonNull(host, "host");
    Map<String, String> accounts = Map.copyOf(users);
    Objects.requireNonNull(dataDir, "dataDir");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new RegistryStartException(
          host,
          port,
          "cannot start the schema registry on " + host + ":" + port + ": unknown host " + host,
          e);
    }
    InMemorySchemaRegistry registry;
    try {
      registry = InMemorySchemaRegistry.create(dataDir);
    } catch (SchemaRegistryException e) {
      throw new RegistryStartException(
          host,
          port,
          "cannot start the schema registry on " + host + ":" + port + ": " + e.getMessage(),
          e);
    }
    HttpServer server;
    try {
      if (tls == null) {
        server = HttpServer.create(new InetSocketAddress(address, port), 64);
      } else {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(address, port), 64);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        server = https;
      }
    } catch (IOException e) {
      registry.close();
      String reason =
          e instanceof BindException
              ? "port " + port + " is already in use (" + e.getMessage() + ")"
              : e.toString();
      throw new RegistryStartException(
          host,
          port,
          "cannot start the schema registry on " + host + ":" + port + ": " + reason,
          e);
    }
    ExecutorService executor = Executors.newFixedThreadPool(SERVER_THREADS, daemonThreads());
    HttpContext context = server.createContext("/", new RegistryHttpHandler(registry));
    if (!accounts.isEmpty()) {
      context.setAuthenticator(
          new BasicAuthenticator("lodestone schema registry", StandardCharsets.UTF_8) {
            @Override
            public boolean checkCredentials(String user, String password) {
              String expected = accounts.get(user);
              return expected != null
                  && MessageDigest.isEqual(
                      expected.getBytes(StandardCharsets.UTF_8),
                      password.getBytes(StandardCharsets.UTF_8));
            }
          });
    }
    server.setExecutor(executor);
    server.start();
    int bound = server.getAddress().getPort();
    String url = (tls == null ? "http://" : "https://") + urlHost(address) + ":" + bound;
    LOG.info(
        "schema registry listening on {} ({}{})",
        url,
        dataDir.map(d -> "data in " + d).orElse("in memory only"),
        accounts.isEmpty() ? "" : ", basic authentication by " + accounts.size() + " users");
    return new EmbeddedSchemaRegistry(server, executor, registry, url);
  }

  private static String urlHost(InetAddress address) {
    InetAddress target = address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : address;
    String literal = target.getHostAddress();
    return literal.contains(":") ? "[" + literal + "]" : literal;
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "schema-registry-http-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * The base URL clients use, e.g. {@code http://127.0.0.1:8081} (a wildcard listen address is
   * reported as the loopback address).
   */
  public String url() {
    return url;
  }

  /** The port the server listens on (the actual one when started with port 0). */
  public int port() {
    return port;
  }

  /** The storage behind the server, for in-process use without HTTP. */
  public InMemorySchemaRegistry registry() {
    return registry;
  }

  /** A REST client for this server. */
  public RestSchemaRegistryClient client() {
    return new RestSchemaRegistryClient(url);
  }

  /** Stops serving, waits for requests in flight (up to 5 s) and releases the data directory. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      registry.close();
      LOG.info("schema registry on {} stopped", url);
    }
  }
}
