package dev.lodestone.schemas.registry;

import dev.lodestone.schemas.registry.internal.RegistryLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaParseException;

/**
 * The in-process schema registry, also the storage behind {@link EmbeddedSchemaRegistry}.
 *
 * <p>Ids are global and content-addressed as in Confluent Schema Registry: schemas are compared in
 * Avro's normalized JSON form ({@link #canonical(Schema)}: whitespace and attribute order do not
 * matter; names, docs, defaults and properties do), and the same schema gets the same id under
 * every subject. Re-registering a schema already under a subject returns its id and adds no
 * version. New versions are checked with Avro's {@link SchemaCompatibility} under the subject's
 * level (BACKWARD by default).
 *
 * <p>With a data directory ({@link #open(Path)}), every registration and configuration change is
 * appended to a log and forced to disk before it takes effect, and the log is replayed at start, so
 * ids and versions survive restarts. Without one, the registry lives as long as the object.
 *
 * <p>Thread-safe: reads run concurrently, writes one at a time.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient, AutoCloseable {

  private record Stored(int id, String canonical, Schema schema) {}

  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, Integer> idByCanonical = new HashMap<>();
  private final Map<Integer, Stored> byId = new HashMap<>();
  private final TreeMap<String, List<Integer>> idsBySubject = new TreeMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel = CompatibilityLevel.DEFAULT;
  private int maxId;
  private final RegistryLog log;
  private boolean closed;

  /** A registry without persistence. */
  public InMemorySchemaRegistry() {
    this.log = null;
  }

  private InMemorySchemaRegistry(RegistryLog log) {
    this.log = log;
    List<RegistryLog.Entry> entries = log.replayed();
    for (int i = 0; i < entries.size(); i++) {
      try {
        replay(entries.get(i));
      } catch (RuntimeException e) {
        throw SchemaRegistryException.storeError(
            log.file()
                + ": entry "
                + (i + 1)
                + " contradicts the entries before it: "
                + e.getMessage(),
            e);
      }
    }
  }

  /**
   * A registry persisted in a data directory (created if missing): replays the directory's log,
   * then appends every change to it. Close it to release the directory.
   *
   * @throws SchemaRegistryException {@link SchemaRegistryException#STORE_ERROR} when the directory
   *     cannot be used, is used by another registry, or holds a corrupt log
   */
  public static InMemorySchemaRegistry open(Path dataDir) {
    Objects.requireNonNull(dataDir, "dataDir");
    RegistryLog log;
    try {
      log = RegistryLog.open(dataDir);
    } catch (IOException e) {
      throw SchemaRegistryException.storeError(
          "cannot open the schema registry data directory " + dataDir + ": " + e.getMessage(), e);
    }
    try {
      return new InMemorySchemaRegistry(log);
    } catch (RuntimeException e) {
      try {
        log.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** A persistent registry when a data directory is given, else one without persistence. */
  public static InMemorySchemaRegistry create(Optional<Path> dataDir) {
    return dataDir.map(InMemorySchemaRegistry::open).orElseGet(InMemorySchemaRegistry::new);
  }

  /** Whether changes are persisted to a data directory. */
  public boolean isPersistent() {
    return log != null;
  }

  /**
   * Parses an Avro schema from its JSON text, as the registry accepts it.
   *
   * @throws SchemaRegistryException {@link SchemaRegistryException#INVALID_SCHEMA} naming the
   *     problem
   */
  public static Schema parseSchema(String json) {
    if (json == null || json.isBlank()) {
      throw SchemaRegistryException.invalidSchema("Invalid schema: the schema is empty", null);
    }
    try {
      return new Schema.Parser().parse(json);
    } catch (SchemaParseException | org.apache.avro.AvroTypeException e) {
      throw SchemaRegistryException.invalidSchema(
          "Invalid schema " + clip(json) + ": " + e.getMessage(), e);
    } catch (NullPointerException e) {
      // Avro 1.12 reports an undefined top-level type name this way.
      throw SchemaRegistryException.invalidSchema(
          "Invalid schema "
              + clip(json)
              + ": its type is neither an Avro type nor a name defined in the schema",
          e);
    } catch (RuntimeException e) {
      throw SchemaRegistryException.invalidSchema("Invalid schema " + clip(json) + ": " + e, e);
    }
  }

  private static String clip(String text) {
    String flat = text.strip().replaceAll("\\s+", " ");
    return flat.length() <= 200 ? flat : flat.substring(0, 200) + "...";
  }

  /**
   * The form in which schemas are compared and stored: Avro's normalized JSON ({@link
   * Schema#toString()}), as Confluent's registry compares Avro schemas.
   */
  public static String canonical(Schema schema) {
    return schema.toString();
  }

  @Override
  public int register(String subject, Schema schema) {
    return registerVersion(subject, schema).id();
  }

  /**
   * Registers a schema as {@link #register(String, Schema)} does and returns the whole version
   * (subject, id, version, schema): the new one, or the existing one when already registered.
   */
  public RegisteredSchema registerVersion(String subject, Schema schema) {
    requireSubject(subject);
    Objects.requireNonNull(schema, "schema");
    String canonical = canonical(schema);
    lock.writeLock().lock();
    try {
      ensureOpen();
      List<Integer> ids = idsBySubject.get(subject);
      if (ids != null) {
        Integer existingId = idByCanonical.get(canonical);
        if (existingId != null && ids.contains(existingId)) {
          Stored stored = byId.get(existingId);
          return new RegisteredSchema(
              subject, existingId, ids.indexOf(existingId) + 1, stored.schema());
        }
        List<String> problems =
            check(effectiveLevel(subject), schema, previousForCheck(subject, ids));
        if (!problems.isEmpty()) {
          throw new SchemaRegistryException(
              409,
              SchemaRegistryException.INCOMPATIBLE_SCHEMA,
              "Schema being registered is incompatible with an earlier schema for subject '"
                  + subject
                  + "' (level "
                  + effectiveLevel(subject)
                  + "), details: "
                  + problems);
        }
      }
      Integer known = idByCanonical.get(canonical);
      int id = known != null ? known : maxId + 1;
      int version = ids == null ? 1 : ids.size() + 1;
      // Keep a private copy (Avro schemas accept new properties after parsing), parsed before
      // the log entry is written so that the log never holds a schema it cannot replay.
      Schema copy = known != null ? null : parseSchema(canonical);
      persist(new RegistryLog.Registration(subject, version, id, canonical));
      Stored stored = known != null ? byId.get(known) : store(id, canonical, copy);
      idsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
      return new RegisteredSchema(subject, id, version, stored.schema());
    } finally {
      lock.writeLock().unlock();
    }
  }

  private Stored store(int id, String canonical, Schema schema) {
    Stored stored = new Stored(id, canonical, schema);
    byId.put(id, stored);
    idByCanonical.put(canonical, id);
    maxId = Math.max(maxId, id);
    return stored;
  }

  @Override
  public Schema schemaById(int id) {
    lock.readLock().lock();
    try {
      Stored stored = byId.get(id);
      if (stored == null) {
        throw SchemaRegistryException.schemaIdNotFound(id);
      }
      return stored.schema();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The subjects and versions under which the schema with this id is registered. */
  public List<RegisteredSchema> versionsOfId(int id) {
    lock.readLock().lock();
    try {
      Stored stored = byId.get(id);
      if (stored == null) {
        throw SchemaRegistryException.schemaIdNotFound(id);
      }
      List<RegisteredSchema> result = new ArrayList<>();
      idsBySubject.forEach(
          (subject, ids) -> {
            int index = ids.indexOf(id);
            if (index >= 0) {
              result.add(new RegisteredSchema(subject, id, index + 1, stored.schema()));
            }
          });
      return result;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public RegisteredSchema lookupVersion(String subject, Schema schema) {
    requireSubject(subject);
    Objects.requireNonNull(schema, "schema");
    String canonical = canonical(schema);
    lock.readLock().lock();
    try {
      List<Integer> ids = requireVersions(subject);
      Integer id = idByCanonical.get(canonical);
      int index = id == null ? -1 : ids.indexOf(id);
      if (index < 0) {
        throw SchemaRegistryException.schemaNotUnderSubject(subject);
      }
      return new RegisteredSchema(subject, id, index + 1, byId.get(id).schema());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<String> subjects() {
    lock.readLock().lock();
    try {
      return List.copyOf(idsBySubject.keySet());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<Integer> versions(String subject) {
    requireSubject(subject);
    lock.readLock().lock();
    try {
      int count = requireVersions(subject).size();
      List<Integer> versions = new ArrayList<>(count);
      for (int v = 1; v <= count; v++) {
        versions.add(v);
      }
      return List.copyOf(versions);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public RegisteredSchema latest(String subject) {
    requireSubject(subject);
    lock.readLock().lock();
    try {
      List<Integer> ids = requireVersions(subject);
      int id = ids.get(ids.size() - 1);
      return new RegisteredSchema(subject, id, ids.size(), byId.get(id).schema());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public RegisteredSchema version(String subject, int version) {
    requireSubject(subject);
    if (version < 1) {
      throw SchemaRegistryException.invalidVersion(Integer.toString(version));
    }
    lock.readLock().lock();
    try {
      List<Integer> ids = requireVersions(subject);
      if (version > ids.size()) {
        throw SchemaRegistryException.versionNotFound(subject, version);
      }
      int id = ids.get(version - 1);
      return new RegisteredSchema(subject, id, version, byId.get(id).schema());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public boolean testCompatibility(String subject, Schema schema) {
    return incompatibilities(subject, schema).isEmpty();
  }

  /**
   * Why the schema could not be registered as the subject's next version: one message per
   * incompatibility with a previous version, empty when compatible (or the subject is new).
   */
  public List<String> incompatibilities(String subject, Schema schema) {
    requireSubject(subject);
    Objects.requireNonNull(schema, "schema");
    lock.readLock().lock();
    try {
      List<Integer> ids = idsBySubject.get(subject);
      if (ids == null) {
        return List.of();
      }
      return check(effectiveLevel(subject), schema, previousForCheck(subject, ids));
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Why the schema is incompatible with one given version of the subject under the subject's level
   * (its direction: backward, forward or both), empty when compatible.
   *
   * @throws SchemaRegistryException for an unknown subject or version
   */
  public List<String> incompatibilitiesWithVersion(String subject, Schema schema, int version) {
    RegisteredSchema previous = version(subject, version);
    lock.readLock().lock();
    try {
      return check(effectiveLevel(subject), schema, List.of(Map.entry(version, previous.schema())));
    } finally {
      lock.readLock().unlock();
    }
  }

  private List<Map.Entry<Integer, Schema>> previousForCheck(String subject, List<Integer> ids) {
    List<Map.Entry<Integer, Schema>> previous = new ArrayList<>();
    int first = effectiveLevel(subject).isTransitive() ? 0 : ids.size() - 1;
    for (int i = ids.size() - 1; i >= first; i--) {
      previous.add(Map.entry(i + 1, byId.get(ids.get(i)).schema()));
    }
    return previous;
  }

  private static List<String> check(
      CompatibilityLevel level, Schema candidate, List<Map.Entry<Integer, Schema>> previous) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<Integer, Schema> entry : previous) {
      if (level.checksBackward()) {
        describe(
            SchemaCompatibility.checkReaderWriterCompatibility(candidate, entry.getValue()),
            "the new schema cannot read data written with version " + entry.getKey(),
            problems);
      }
      if (level.checksForward()) {
        describe(
            SchemaCompatibility.checkReaderWriterCompatibility(entry.getValue(), candidate),
            "version " + entry.getKey() + " cannot read data written with the new schema",
            problems);
      }
    }
    return problems;
  }

  private static void describe(
      SchemaCompatibility.SchemaPairCompatibility result, String context, List<String> problems) {
    if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
      problems.add(
          context
              + ": "
              + incompatibility.getType()
              + " at "
              + incompatibility.getLocation()
              + ": "
              + incompatibility.getMessage());
    }
  }

  @Override
  public CompatibilityLevel globalCompatibility() {
    lock.readLock().lock();
    try {
      return globalLevel;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void setGlobalCompatibility(CompatibilityLevel level) {
    Objects.requireNonNull(level, "level");
    lock.writeLock().lock();
    try {
      ensureOpen();
      persist(new RegistryLog.ConfigChange(null, level.name()));
      globalLevel = level;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public Optional<CompatibilityLevel> subjectCompatibility(String subject) {
    requireSubject(subject);
    lock.readLock().lock();
    try {
      return Optional.ofNullable(subjectLevels.get(subject));
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void setSubjectCompatibility(String subject, CompatibilityLevel level) {
    requireSubject(subject);
    Objects.requireNonNull(level, "level");
    lock.writeLock().lock();
    try {
      ensureOpen();
      persist(new RegistryLog.ConfigChange(subject, level.name()));
      subjectLevels.put(subject, level);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void deleteSubjectCompatibility(String subject) {
    requireSubject(subject);
    lock.writeLock().lock();
    try {
      ensureOpen();
      if (subjectLevels.containsKey(subject)) {
        persist(new RegistryLog.ConfigChange(subject, null));
        subjectLevels.remove(subject);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public CompatibilityLevel effectiveCompatibility(String subject) {
    requireSubject(subject);
    lock.readLock().lock();
    try {
      return effectiveLevel(subject);
    } finally {
      lock.readLock().unlock();
    }
  }

  private CompatibilityLevel effectiveLevel(String subject) {
    return subjectLevels.getOrDefault(subject, globalLevel);
  }

  /** Releases the data directory, if any. Later changes fail; reads keep working. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (log != null) {
        log.close();
      }
    } catch (IOException e) {
      throw SchemaRegistryException.storeError(
          "cannot close the registry log " + log.file() + ": " + e.getMessage(), e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw SchemaRegistryException.storeError("the schema registry is closed", null);
    }
  }

  private void persist(RegistryLog.Entry entry) {
    if (log == null) {
      return;
    }
    try {
      log.append(entry);
    } catch (IOException e) {
      throw SchemaRegistryException.storeError(
          "cannot write to the registry log " + log.file() + ": " + e.getMessage(), e);
    }
  }

  private void replay(RegistryLog.Entry entry) {
    if (entry instanceof RegistryLog.Registration r) {
      Schema schema = parseSchema(r.schema());
      String canonical = canonical(schema);
      List<Integer> ids = idsBySubject.computeIfAbsent(r.subject(), s -> new ArrayList<>());
      if (r.version() != ids.size() + 1) {
        throw new IllegalStateException(
            "subject '"
                + r.subject()
                + "' gets version "
                + r.version()
                + " after "
                + ids.size()
                + " versions");
      }
      Integer known = idByCanonical.get(canonical);
      if (known != null && known != r.id()) {
        throw new IllegalStateException(
            "schema registered with id " + r.id() + " already has id " + known);
      }
      if (known == null && byId.containsKey(r.id())) {
        throw new IllegalStateException("id " + r.id() + " already belongs to another schema");
      }
      if (known == null) {
        store(r.id(), canonical, schema);
      }
      ids.add(r.id());
    } else if (entry instanceof RegistryLog.ConfigChange c) {
      if (c.subject() == null) {
        globalLevel = CompatibilityLevel.parse(c.level());
      } else if (c.level() == null) {
        subjectLevels.remove(c.subject());
      } else {
        subjectLevels.put(c.subject(), CompatibilityLevel.parse(c.level()));
      }
    }
  }

  private List<Integer> requireVersions(String subject) {
    List<Integer> ids = idsBySubject.get(subject);
    if (ids == null) {
      throw SchemaRegistryException.subjectNotFound(subject);
    }
    return ids;
  }

  private static void requireSubject(String subject) {
    Objects.requireNonNull(subject, "subject");
    if (subject.isBlank()) {
      throw new IllegalArgumentException("subject must not be blank, got '" + subject + "'");
    }
  }
}
