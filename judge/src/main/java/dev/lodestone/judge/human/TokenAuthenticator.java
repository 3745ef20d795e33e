package dev.lodestone.judge.human;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks bearer tokens against a token file ({@link AnnotatorTokens}), rereading the file when its
 * modification time or size changes, so that tokens added or revoked with {@code lodestone feedback
 * tokens} count at once. Thread-safe.
 */
public final class TokenAuthenticator {
  private final Path file;
  private AnnotatorTokens tokens;
  private FileTime readTime;
  private long readSize = -1;

  /** What a secret turned out to be. */
  public sealed interface Result {}

  /** A valid token of an annotator. */
  public record Valid(String annotator, String tokenId) implements Result {}

  /** A token that was revoked. */
  public record Revoked(String tokenId) implements Result {}

  /** No token, or one this file does not know. */
  public record Unknown() implements Result {}

  /**
   * An authenticator over a token file.
   *
   * @throws UncheckedIOException when the file exists and cannot be read
   */
  public TokenAuthenticator(Path file) {
    this.file = Objects.requireNonNull(file, "file");
    refresh();
  }

  /** The token file. */
  public Path file() {
    return file;
  }

  /** The tokens as last read. */
  public synchronized AnnotatorTokens tokens() {
    refresh();
    return tokens;
  }

  /** What this secret is; the file is reread first if it changed. */
  public synchronized Result check(String secret) {
    refresh();
    Optional<AnnotatorTokens.Token> t = tokens.match(secret);
    if (t.isEmpty()) {
      return new Unknown();
    }
    return t.get().active()
        ? new Valid(t.get().annotator(), t.get().id())
        : new Revoked(t.get().id());
  }

  private void refresh() {
    try {
      FileTime time;
      long size;
      try {
        time = Files.getLastModifiedTime(file);
        size = Files.size(file);
      } catch (NoSuchFileException e) {
        tokens = new AnnotatorTokens(java.util.List.of());
        readTime = null;
        readSize = -1;
        return;
      }
      if (tokens != null && time.equals(readTime) && size == readSize) {
        return;
      }
      tokens = AnnotatorTokens.read(file);
      readTime = time;
      readSize = size;
    } catch (IOException e) {
      if (tokens == null) {
        throw new UncheckedIOException(e);
      }
      // a file being rewritten: keep the tokens last read, and try again on the next request
    }
  }
}
