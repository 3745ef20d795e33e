package dev.lodestone.judge.human;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The bearer tokens of annotators and applications, kept in a JSON file that holds only their
 * SHA-256 hashes: the secret is shown once, when it is created, and never stored.
 *
 * <p>A token is 32 random bytes (base64url, prefixed {@code lst_}), so a plain SHA-256 is a safe
 * hash: there is nothing to guess. The file is rewritten atomically (a temporary file moved over
 * it) and readable by its owner alone where the file system has POSIX permissions. A running
 * feedback service rereads it when it changes ({@link TokenAuthenticator}), so a revocation takes
 * effect without a restart.
 *
 * @param tokens every token ever created in this file, revoked ones included
 */
public record AnnotatorTokens(List<Token> tokens) {
  /** Annotator names: what labels carry as their {@code judgeId}. */
  public static final Pattern ANNOTATOR = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  private static final String PREFIX = "lst_";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .findAndRegisterModules()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  /**
   * One token.
   *
   * @param id a short public id, for listing and revoking
   * @param annotator whose token it is; the judge id of its labels
   * @param sha256 the hex SHA-256 of the secret
   * @param created when it was created (ISO-8601)
   * @param revoked when it was revoked, or null while it is valid
   */
  public record Token(String id, String annotator, String sha256, String created, String revoked) {
    public Token {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(annotator, "annotator");
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(created, "created");
    }

    /** Whether the token has not been revoked. */
    public boolean active() {
      return revoked == null;
    }
  }

  /** A newly created token: its entry and the secret, which nothing else will show again. */
  public record Created(Token token, String secret) {}

  public AnnotatorTokens {
    tokens = List.copyOf(Objects.requireNonNull(tokens, "tokens"));
  }

  /**
   * Reads a token file; a file that does not exist holds no tokens.
   *
   * @throws IOException when the file cannot be read or is not a token file
   */
  public static AnnotatorTokens read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return new AnnotatorTokens(List.of());
    }
    try {
      AnnotatorTokens read = JSON.readValue(file.toFile(), AnnotatorTokens.class);
      return read.tokens() == null ? new AnnotatorTokens(List.of()) : read;
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + " is not a Lodestone token file: " + e.getMessage(), e);
    }
  }

  /** Writes the file atomically, readable by its owner alone where POSIX permissions exist. */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".tokens-", ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the directory's permissions protect the file
      }
      Files.write(tmp, JSON.writeValueAsBytes(this));
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * A new token for an annotator; {@link #with} adds it to the file.
   *
   * @throws IllegalArgumentException when the annotator's name is not 1-64 of {@code
   *     [A-Za-z0-9._@-]}
   */
  public Created add(String annotator, Instant now) {
    if (annotator == null || !ANNOTATOR.matcher(annotator).matches()) {
      throw new IllegalArgumentException(
          "an annotator's name must be 1-64 of letters, digits and ._@-, got '" + annotator + "'");
    }
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    String id;
    do {
      byte[] idBytes = new byte[4];
      RANDOM.nextBytes(idBytes);
      id = "t-" + HexFormat.of().formatHex(idBytes);
    } while (find(id).isPresent());
    return new Created(new Token(id, annotator, hash(secret), now.toString(), null), secret);
  }

  /** This file with one more token. */
  public AnnotatorTokens with(Token token) {
    List<Token> all = new ArrayList<>(tokens);
    all.add(token);
    return new AnnotatorTokens(all);
  }

  /**
   * A copy in which the token with this id, or every active token of the annotator with this name,
   * is revoked.
   *
   * @throws IllegalArgumentException when no active token has this id or annotator
   */
  public AnnotatorTokens revoke(String idOrAnnotator, Instant now) {
    List<Token> all = new ArrayList<>();
    int revoked = 0;
    for (Token t : tokens) {
      if (t.active() && (t.id().equals(idOrAnnotator) || t.annotator().equals(idOrAnnotator))) {
        all.add(new Token(t.id(), t.annotator(), t.sha256(), t.created(), now.toString()));
        revoked++;
      } else {
        all.add(t);
      }
    }
    if (revoked == 0) {
      throw new IllegalArgumentException(
          "no active token has the id or annotator '" + idOrAnnotator + "'");
    }
    return new AnnotatorTokens(all);
  }

  /** The token with this id. */
  public Optional<Token> find(String id) {
    return tokens.stream().filter(t -> t.id().equals(id)).findFirst();
  }

  /** The token whose secret this is, revoked or not. */
  public Optional<Token> match(String secret) {
    if (secret == null || !secret.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String h = hash(secret);
    return tokens.stream()
        .filter(
            t ->
                MessageDigest.isEqual(
                    t.sha256().getBytes(StandardCharsets.US_ASCII),
                    h.getBytes(StandardCharsets.US_ASCII)))
        .findFirst();
  }

  /** Whether any token is active. */
  public boolean anyActive() {
    return tokens.stream().anyMatch(Token::active);
  }

  static String hash(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }
}
