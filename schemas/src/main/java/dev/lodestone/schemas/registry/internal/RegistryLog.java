package dev.lodestone.schemas.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable history of a registry: an append-only file of JSON lines ({@code registry.log} in the
 * data directory), one line per registration or configuration change, each forced to disk before
 * the change takes effect. Replaying it rebuilds the same ids, versions and levels.
 *
 * <p>A last line cut short by a crash (no trailing newline) is dropped with a warning: the change
 * it described was never acknowledged. Any other unreadable line fails the open. A lock file keeps
 * two registries from sharing one directory.
 */
public final class RegistryLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryLog.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Name of the log file inside the data directory. */
  public static final String LOG_FILE = "registry.log";

  /** Name of the lock file inside the data directory. */
  public static final String LOCK_FILE = "registry.lock";

  /** One line of the log. */
  public sealed interface Entry permits Registration, ConfigChange {}

  /**
   * A new version of a subject.
   *
   * @param subject the subject
   * @param version its version number within the subject
   * @param id the global schema id
   * @param schema the schema in normalized JSON
   */
  public record Registration(String subject, int version, int id, String schema) implements Entry {
    public Registration {
      Objects.requireNonNull(subject, "subject");
      Objects.requireNonNull(schema, "schema");
    }
  }

  /**
   * A compatibility level set or removed.
   *
   * @param subject the subject, or null for the global level
   * @param level the level's name, or null when the subject's own level was removed
   */
  public record ConfigChange(String subject, String level) implements Entry {}

  private final Path file;
  private final FileChannel channel;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final List<Entry> replayed;

  private RegistryLog(
      Path file, FileChannel channel, FileChannel lockChannel, FileLock lock, List<Entry> entries) {
    this.file = file;
    this.channel = channel;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.replayed = List.copyOf(entries);
  }

  /**
   * Opens (creating if needed) the log in a data directory, locks the directory and reads every
   * entry.
   *
   * @throws IOException when the directory cannot be used, is locked by another registry, or the
   *     log is corrupt
   */
  public static RegistryLog open(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path lockFile = dataDir.resolve(LOCK_FILE);
    FileChannel lockChannel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IOException(
          "data directory "
              + dataDir
              + " is already used by another schema registry (lock file "
              + lockFile
              + " is held)");
    }
    Path file = dataDir.resolve(LOG_FILE);
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      List<Entry> entries = readAll(file, channel);
      channel.position(channel.size());
      return new RegistryLog(file, channel, lockChannel, lock, entries);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      lock.release();
      lockChannel.close();
      throw e;
    }
  }

  private static List<Entry> readAll(Path file, FileChannel channel) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end < bytes.length) {
      LOG.warn(
          "{}: dropping an incomplete last line of {} bytes (a write interrupted by a crash)",
          file,
          bytes.length - end);
      channel.truncate(end);
      channel.force(true);
    }
    String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
    List<Entry> entries = new ArrayList<>();
    int lineNumber = 0;
    for (String line : text.split("\n", -1)) {
      lineNumber++;
      if (line.isEmpty()) {
        continue;
      }
      try {
        entries.add(parse(JSON.readTree(line)));
      } catch (IOException | RuntimeException e) {
        throw new IOException(
            file + ": line " + lineNumber + " is corrupt (" + e.getMessage() + "): " + line, e);
      }
    }
    return entries;
  }

  private static Entry parse(JsonNode node) {
    String op = requiredText(node, "op");
    return switch (op) {
      case "register" ->
          new Registration(
              requiredText(node, "subject"),
              requiredInt(node, "version"),
              requiredInt(node, "id"),
              requiredText(node, "schema"));
      case "config" ->
          new ConfigChange(
              node.hasNonNull("subject") ? node.get("subject").asText() : null,
              node.hasNonNull("level") ? node.get("level").asText() : null);
      default -> throw new IllegalArgumentException("unknown op '" + op + "'");
    };
  }

  private static String requiredText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not a string");
    }
    return value.asText();
  }

  private static int requiredInt(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isInt()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not an int");
    }
    return value.asInt();
  }

  /** The entries read when the log was opened, oldest first. */
  public List<Entry> replayed() {
    return replayed;
  }

  /** The log file. */
  public Path file() {
    return file;
  }

  /** Appends an entry and forces it to disk before returning. */
  public synchronized void append(Entry entry) throws IOException {
    ObjectNode node = JSON.createObjectNode();
    if (entry instanceof Registration r) {
      node.put("op", "register");
      node.put("subject", r.subject());
      node.put("version", r.version());
      node.put("id", r.id());
      node.put("schema", r.schema());
    } else if (entry instanceof ConfigChange c) {
      node.put("op", "config");
      node.put("subject", c.subject());
      node.put("level", c.level());
    }
    ByteBuffer buffer =
        ByteBuffer.wrap((JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8));
    long start = channel.position();
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    } catch (IOException e) {
      // Leave no half line behind for the next append to run into.
      try {
        channel.truncate(start);
        channel.position(start);
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  /** Closes the log and releases the directory lock. */
  @Override
  public synchronized void close() throws IOException {
    try {
      channel.close();
    } finally {
      try {
        if (lock.isValid()) {
          lock.release();
        }
      } finally {
        lockChannel.close();
      }
    }
  }
}
