package dev.lodestone.policy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The byte-level tokenizer: a text is its UTF-8 bytes, one token per byte, plus four special
 * tokens. Nothing is downloaded and every well-formed text round-trips.
 *
 * <p>Token ids of the standard vocabulary ({@link #VOCAB_SIZE} = 260): bytes {@code 0..255}, then
 * {@link #BOS} 256, {@link #EOS} 257, {@link #PAD} 258, {@link #SEP} 259. A reduced vocabulary of
 * size {@code V} (see {@link ModelConfig}) keeps bytes {@code 0..V-5} and puts the specials at
 * {@code V-4..V-1}; texts with larger bytes cannot be encoded in it.
 *
 * <p>A prompt is encoded as {@code [BOS, bytes..., SEP]}; the response follows the separator and
 * ends with {@code EOS}. Instances are immutable and thread-safe.
 */
public final class ByteTokenizer {

  /** Size of the standard vocabulary: 256 bytes and 4 special tokens. */
  public static final int VOCAB_SIZE = 260;

  /** Beginning of sequence (standard vocabulary). */
  public static final int BOS = 256;

  /** End of sequence (standard vocabulary). */
  public static final int EOS = 257;

  /** Padding (standard vocabulary). */
  public static final int PAD = 258;

  /** Separator between prompt and response (standard vocabulary). */
  public static final int SEP = 259;

  /** The character that stands for a special token found inside a response when decoding. */
  public static final char SPECIAL_TOKEN_CHAR = '\uFFFD';

  private static final ByteTokenizer STANDARD = new ByteTokenizer(VOCAB_SIZE);

  private final int vocabSize;

  private ByteTokenizer(int vocabSize) {
    this.vocabSize = vocabSize;
  }

  /** The tokenizer of the standard 260-token vocabulary. */
  public static ByteTokenizer standard() {
    return STANDARD;
  }

  /** The tokenizer matching a model's vocabulary. */
  public static ByteTokenizer forConfig(ModelConfig config) {
    return config.vocabSize() == VOCAB_SIZE ? STANDARD : new ByteTokenizer(config.vocabSize());
  }

  /** Number of token ids. */
  public int vocabSize() {
    return vocabSize;
  }

  /** Beginning-of-sequence id. */
  public int bos() {
    return vocabSize - 4;
  }

  /** End-of-sequence id. */
  public int eos() {
    return vocabSize - 3;
  }

  /** Padding id. */
  public int pad() {
    return vocabSize - 2;
  }

  /** Separator id. */
  public int sep() {
    return vocabSize - 1;
  }

  /** True for BOS, EOS, PAD and SEP. */
  public boolean isSpecial(int id) {
    return id >= vocabSize - 4 && id < vocabSize;
  }

  /** {@code [BOS, utf8(prompt)..., SEP]}. */
  public int[] encodePrompt(String prompt) {
    byte[] bytes = utf8(prompt, "prompt");
    int[] ids = new int[bytes.length + 2];
    ids[0] = bos();
    for (int i = 0; i < bytes.length; i++) {
      ids[i + 1] = byteId(bytes[i], "prompt");
    }
    ids[ids.length - 1] = sep();
    return ids;
  }

  /** The response's bytes, followed by {@code EOS} when {@code withEos}. */
  public int[] encodeResponse(String response, boolean withEos) {
    byte[] bytes = utf8(response, "response");
    int[] ids = new int[bytes.length + (withEos ? 1 : 0)];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = byteId(bytes[i], "response");
    }
    if (withEos) {
      ids[ids.length - 1] = eos();
    }
    return ids;
  }

  /**
   * Decodes response tokens to text: stops at the first {@code EOS}; any other special token is
   * rendered as {@link #SPECIAL_TOKEN_CHAR}; byte sequences that are not valid UTF-8 become U+FFFD.
   * A response containing a special token therefore never equals a text without one.
   */
  public String decode(int[] ids) {
    StringBuilder out = new StringBuilder(ids.length);
    ByteArrayOutputStream run = new ByteArrayOutputStream();
    for (int id : ids) {
      if (id < 0 || id >= vocabSize) {
        throw new IllegalArgumentException(
            "token id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
      }
      if (id == eos()) {
        break;
      }
      if (isSpecial(id)) {
        flush(run, out);
        out.append(SPECIAL_TOKEN_CHAR);
      } else {
        run.write(id);
      }
    }
    flush(run, out);
    return out.toString();
  }

  private static void flush(ByteArrayOutputStream run, StringBuilder out) {
    if (run.size() == 0) {
      return;
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try {
      out.append(decoder.decode(ByteBuffer.wrap(run.toByteArray())));
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("UTF-8 decoding with replacement cannot fail", e);
    }
    run.reset();
  }

  private int byteId(byte b, String field) {
    int id = b & 0xFF;
    if (id >= vocabSize - 4) {
      throw new IllegalArgumentException(
          field
              + " contains byte "
              + id
              + ", which the "
              + vocabSize
              + "-token vocabulary cannot represent (bytes 0.."
              + (vocabSize - 5)
              + " only)");
    }
    return id;
  }

  private static byte[] utf8(String text, String field) {
    if (text == null) {
      throw new IllegalArgumentException(field + " must not be null");
    }
    CharsetEncoder encoder =
        StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      ByteBuffer buf = encoder.encode(CharBuffer.wrap(text));
      byte[] bytes = new byte[buf.remaining()];
      buf.get(bytes);
      return bytes;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          field + " is not well-formed Unicode (unpaired surrogate?): " + e.getMessage(), e);
    }
  }
}
