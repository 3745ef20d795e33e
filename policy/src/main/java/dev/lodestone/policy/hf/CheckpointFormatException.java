package dev.lodestone.policy.hf;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A Hugging Face checkpoint that cannot be loaded: a missing file, an unknown architecture, a
 * configuration that is not valid, a tensor that is missing or has the wrong shape, or a truncated
 * or malformed safetensors file. The message names the file and, where one is at fault, the tensor.
 */
public final class CheckpointFormatException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String tensor;

  /** A refusal of {@code file} as a whole. */
  public CheckpointFormatException(Path file, String message) {
    super(file + ": " + message);
    this.file = file;
    this.tensor = null;
  }

  /** A refusal of tensor {@code tensor} in {@code file}. */
  public CheckpointFormatException(Path file, String tensor, String message) {
    super(file + ": tensor " + tensor + ": " + message);
    this.file = file;
    this.tensor = tensor;
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }

  /** The tensor at fault, if one is. */
  public Optional<String> tensor() {
    return Optional.ofNullable(tensor);
  }
}
