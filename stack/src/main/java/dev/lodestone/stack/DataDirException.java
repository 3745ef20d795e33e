package dev.lodestone.stack;

import java.nio.file.Path;

/**
 * The stack's data directory cannot be used: it cannot be created or written, or another stack
 * holds it. Raised before anything starts.
 */
public final class DataDirException extends LocalStackException {
  private static final long serialVersionUID = 1L;

  private final transient Path dataDir;

  /** The data directory {@code dataDir} cannot be used, for {@code reason}. */
  public DataDirException(Path dataDir, String reason, Throwable cause) {
    super("data directory " + dataDir + " " + reason, cause);
    this.dataDir = dataDir;
  }

  /** The data directory in question. */
  public Path dataDir() {
    return dataDir;
  }
}
