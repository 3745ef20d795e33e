package dev.lodestone.stack.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The security material of a secured local stack ({@code lodestone up --secure}), kept in a {@code
 * security} directory of the stack's data directory: the PKCS12 key and trust stores ({@link
 * Certificates}), a password per {@link Role}, and a client configuration file per role ({@code
 * <role>.properties}) that any component takes with {@code --command-config}. A kept data directory
 * keeps its material, so a restarted stack takes the same files and passwords.
 *
 * <p>The broker listens for clients with SASL_SSL and SCRAM-SHA-512 (each role a SCRAM user,
 * created when the storage is formatted), authorizes with KRaft's {@code StandardAuthorizer} and
 * the ACLs of {@link Role#acls()}, and refuses what no ACL allows. Its controller listener takes
 * TLS with client certificates only: the broker's own certificate ({@value Certificates#SERVER_DN})
 * and the {@code admin} user are its super users. The schema registry answers HTTPS with basic
 * authentication by the same users and passwords.
 */
public final class StackSecurity {
  /** The SASL mechanism of the client listener. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  static final String KEY_STORE = "broker.p12";
  static final String TRUST_STORE = "truststore.p12";
  static final String SECRETS = "secrets.properties";
  private static final String STORE_PASSWORD = "stores";

  private final Path dir;
  private final String storePassword;
  private final Map<Role, String> passwords;

  private StackSecurity(Path dir, String storePassword, Map<Role, String> passwords) {
    this.dir = dir;
    this.storePassword = storePassword;
    this.passwords = passwords;
  }

  /** Whether {@code dir} holds the material of an earlier secured start. */
  public static boolean exists(Path dir) {
    return Files.exists(dir.resolve(SECRETS));
  }

  /**
   * The material in {@code dir}: read back when an earlier start made it, made fresh otherwise (the
   * certificates name {@code host}).
   */
  public static StackSecurity openOrCreate(Path dir, String host) throws IOException {
    Objects.requireNonNull(dir, "dir");
    if (exists(dir)) {
      Properties secrets = new Properties();
      try (InputStream in = Files.newInputStream(dir.resolve(SECRETS))) {
        secrets.load(in);
      }
      Map<Role, String> passwords = new EnumMap<>(Role.class);
      for (Role role : Role.values()) {
        String password = secrets.getProperty(role.user());
        if (password == null) {
          throw new IOException(dir.resolve(SECRETS) + " has no password for " + role.user());
        }
        passwords.put(role, password);
      }
      String stores = secrets.getProperty(STORE_PASSWORD);
      if (stores == null) {
        throw new IOException(dir.resolve(SECRETS) + " has no store password");
      }
      return new StackSecurity(dir, stores, passwords);
    }
    Files.createDirectories(dir);
    SecureRandom random = new SecureRandom();
    String stores = secret(random);
    Map<Role, String> passwords = new EnumMap<>(Role.class);
    for (Role role : Role.values()) {
      passwords.put(role, secret(random));
    }
    StackSecurity security = new StackSecurity(dir, stores, passwords);
    Certificates.write(
        dir.resolve(KEY_STORE), dir.resolve(TRUST_STORE), host, stores.toCharArray());
    Properties secrets = new Properties();
    secrets.setProperty(STORE_PASSWORD, stores);
    passwords.forEach((role, password) -> secrets.setProperty(role.user(), password));
    writePrivate(dir.resolve(SECRETS), secrets, "Lodestone secured stack: passwords");
    return security;
  }

  private static String secret(SecureRandom random) {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The directory the material is in. */
  public Path directory() {
    return dir;
  }

  /** The client configuration file of a role (written by {@link #writeClientConfigs}). */
  public Path clientConfig(Role role) {
    return dir.resolve(role.user() + ".properties");
  }

  /** The trust store clients verify the stack's certificate with (PKCS12). */
  public Path trustStore() {
    return dir.resolve(TRUST_STORE);
  }

  /** The arguments of {@code kafka-storage format} that create every role's SCRAM user. */
  public List<String> scramFormatArguments() {
    List<String> args = new ArrayList<>();
    for (Role role : Role.values()) {
      args.add("--add-scram");
      args.add(MECHANISM + "=[name=" + role.user() + ",password=" + passwords.get(role) + "]");
    }
    return args;
  }

  /**
   * The broker's listener and authorizer settings.
   *
   * @param clientListener e.g. {@code 127.0.0.1:9092}
   * @param advertised the client listener as clients reach it
   * @param controller e.g. {@code 127.0.0.1:9093}
   */
  public Map<String, String> brokerProperties(
      String clientListener, String advertised, String controller) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("listeners", "SASL_SSL://" + clientListener + ",CONTROLLER://" + controller);
    p.put("advertised.listeners", "SASL_SSL://" + advertised);
    p.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SSL");
    p.put("inter.broker.listener.name", "SASL_SSL");
    p.put("sasl.enabled.mechanisms", MECHANISM);
    p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
    p.put(
        "listener.name.sasl_ssl."
            + MECHANISM.toLowerCase(java.util.Locale.ROOT)
            + ".sasl.jaas.config",
        jaas(Role.ADMIN));
    p.put("ssl.keystore.type", "PKCS12");
    p.put("ssl.keystore.location", dir.resolve(KEY_STORE).toString());
    p.put("ssl.keystore.password", storePassword);
    p.put("ssl.key.password", storePassword);
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.location", trustStore().toString());
    p.put("ssl.truststore.password", storePassword);
    p.put("listener.name.controller.ssl.client.auth", "required");
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.put("super.users", Role.ADMIN.principal() + ";User:" + Certificates.SERVER_DN);
    p.put("allow.everyone.if.no.acl.found", "false");
    return p;
  }

  /** The Kafka client settings of a role: SASL_SSL, SCRAM, the trust store. */
  public Map<String, String> kafkaClientProperties(Role role) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("security.protocol", "SASL_SSL");
    p.put("sasl.mechanism", MECHANISM);
    p.put("sasl.jaas.config", jaas(role));
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.location", trustStore().toString());
    p.put("ssl.truststore.password", storePassword);
    return p;
  }

  /**
   * The whole client configuration of a role: its Kafka settings and, under Confluent's names, the
   * registry's credentials ({@code basic.auth.user.info}) and trust store ({@code
   * schema.registry.ssl.truststore.*}).
   */
  public Map<String, String> clientSettings(Role role) {
    Map<String, String> p = kafkaClientProperties(role);
    p.put("basic.auth.credentials.source", "USER_INFO");
    p.put("basic.auth.user.info", role.user() + ":" + passwords.get(role));
    p.put("schema.registry.ssl.truststore.type", "PKCS12");
    p.put("schema.registry.ssl.truststore.location", trustStore().toString());
    p.put("schema.registry.ssl.truststore.password", storePassword);
    return p;
  }

  /** Writes every role's client configuration file (readable by the owner only). */
  public void writeClientConfigs() throws IOException {
    for (Role role : Role.values()) {
      Properties p = new Properties();
      p.putAll(clientSettings(role));
      writePrivate(
          clientConfig(role),
          p,
          "Lodestone secured stack: the client settings of " + role.principal());
    }
  }

  /** The registry's users and passwords. */
  public Map<String, String> registryUsers() {
    Map<String, String> users = new LinkedHashMap<>();
    passwords.forEach((role, password) -> users.put(role.user(), password));
    return users;
  }

  /** The registry's TLS context: the server's key and chain. */
  public SSLContext serverContext() {
    try {
      KeyStore keys = load(dir.resolve(KEY_STORE));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, storePassword.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot read the key store in " + dir + ": " + e, e);
    }
  }

  private KeyStore load(Path file) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, storePassword.toCharArray());
    }
    return store;
  }

  private String jaas(Role role) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + role.user()
        + "\" password=\""
        + passwords.get(role)
        + "\";";
  }

  private static void writePrivate(Path file, Properties p, String comment) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    try (OutputStream out = Files.newOutputStream(file);
        Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
      p.store(w, comment);
    }
  }
}
