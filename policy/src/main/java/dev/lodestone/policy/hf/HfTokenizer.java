package dev.lodestone.policy.hf;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.lodestone.policy.Engines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A checkpoint's own tokenizer ({@code tokenizer.json}), run by Hugging Face's {@code tokenizers}
 * library through {@code ai.djl.huggingface:tokenizers}, whose jar carries the native library (it
 * is extracted to the DJL cache; nothing is downloaded).
 *
 * <p>{@link #encode} tokenizes text exactly as given: no chat template, no special tokens added, no
 * truncation or padding.
 */
public final class HfTokenizer implements AutoCloseable {

  private final Path file;
  private final HuggingFaceTokenizer tokenizer;

  private HfTokenizer(Path file, HuggingFaceTokenizer tokenizer) {
    this.file = file;
    this.tokenizer = tokenizer;
  }

  /**
   * Loads {@code file}.
   *
   * @throws CheckpointFormatException if the file is missing or the library refuses it
   */
  public static HfTokenizer load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new CheckpointFormatException(file, "missing (the checkpoint's tokenizer)");
    }
    Engines.start(); // DJL's settings (offline, cache directory) before its native library loads
    try {
      return new HfTokenizer(
          file,
          HuggingFaceTokenizer.newInstance(
              file,
              Map.of(
                  "addSpecialTokens", "false",
                  "truncation", "false",
                  "padding", "false")));
    } catch (RuntimeException e) {
      throw new CheckpointFormatException(
          file, "the tokenizers library cannot read it: " + e.getMessage());
    }
  }

  /** The tokenizer of {@code checkpoint}. */
  public static HfTokenizer of(HfCheckpoint checkpoint) throws IOException {
    return load(checkpoint.dir().resolve(HfCheckpoint.TOKENIZER));
  }

  /** The token ids of {@code text}, with no special tokens added. */
  public long[] encode(String text) {
    return tokenizer.encode(text, false, false).getIds();
  }

  /**
   * The token ids of {@code text} and the tokens as the tokenizer spells them (byte-level BPE shows
   * spaces as Ġ), from one encoding, with no special tokens added.
   */
  public Encoded encodeWithTokens(String text) {
    Encoding e = tokenizer.encode(text, false, false);
    return new Encoded(e.getIds(), e.getTokens());
  }

  /** A text's token ids and their spellings. */
  public record Encoded(long[] ids, String[] tokens) {}

  /** The text of {@code ids}, special tokens kept. */
  public String decode(long[] ids) {
    return tokenizer.decode(ids, false);
  }

  /** The file. */
  public Path file() {
    return file;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
