package dev.lodestone.schemas.serde.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * An Avro binary decoder over a byte array that checks every length and count against the bytes
 * that remain before allocating anything.
 *
 * <p>Avro's own decoder trusts a length prefix: a corrupt record claiming a 1.5 GB string or array
 * makes it allocate that much and fail with {@link OutOfMemoryError}. Here a string or bytes length
 * larger than what remains is an {@link EOFException} (truncated data), and an item count larger
 * than what remains (every item of an array or map takes at least one byte, unless the writer
 * schema has arrays of items that encode to nothing, see {@link #itemsMayBeEmpty(Schema)}) is a
 * {@link MalformedDataException}. Invalid varints, booleans other than 0 and 1, negative lengths
 * and invalid UTF-8 are {@link MalformedDataException}s too.
 *
 * <p>Not thread-safe; one instance per record.
 */
public final class BoundedBinaryDecoder extends Decoder {
  /** Most array items allowed when items may encode to zero bytes and so cannot be bounded. */
  public static final long MAX_EMPTY_ITEMS = 1 << 20;

  private final byte[] buf;
  private final int limit;
  private final boolean itemsMayBeEmpty;
  private int pos;
  private CharsetDecoder utf8;

  /**
   * A decoder of {@code length} bytes of {@code buf} from {@code offset}.
   *
   * @param itemsMayBeEmpty whether the writer schema has arrays whose items can encode to zero
   *     bytes (then counts are bounded by {@link #MAX_EMPTY_ITEMS} instead of the bytes left)
   */
  public BoundedBinaryDecoder(byte[] buf, int offset, int length, boolean itemsMayBeEmpty) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IllegalArgumentException(
          "range [" + offset + ", " + (offset + length) + ") outside " + buf.length + " bytes");
    }
    this.buf = buf;
    this.pos = offset;
    this.limit = offset + length;
    this.itemsMayBeEmpty = itemsMayBeEmpty;
  }

  /** Bytes not yet read. */
  public int remaining() {
    return limit - pos;
  }

  /**
   * Whether some array in the schema has items that may encode to zero bytes (null, an empty
   * record, a zero-size fixed, or records of only such fields).
   */
  public static boolean itemsMayBeEmpty(Schema schema) {
    return anyEmptyItems(schema, new HashSet<>());
  }

  private static boolean anyEmptyItems(Schema schema, Set<String> seen) {
    switch (schema.getType()) {
      case RECORD:
        if (!seen.add(schema.getFullName())) {
          return false;
        }
        for (Schema.Field field : schema.getFields()) {
          if (anyEmptyItems(field.schema(), seen)) {
            return true;
          }
        }
        return false;
      case ARRAY:
        return canBeEmpty(schema.getElementType(), new HashSet<>())
            || anyEmptyItems(schema.getElementType(), seen);
      case MAP:
        return anyEmptyItems(schema.getValueType(), seen);
      case UNION:
        for (Schema branch : schema.getTypes()) {
          if (anyEmptyItems(branch, seen)) {
            return true;
          }
        }
        return false;
      default:
        return false;
    }
  }

  private static boolean canBeEmpty(Schema schema, Set<String> seen) {
    switch (schema.getType()) {
      case NULL:
        return true;
      case FIXED:
        return schema.getFixedSize() == 0;
      case RECORD:
        if (!seen.add(schema.getFullName())) {
          return false; // a recursive record needs a union (one byte at least) to end
        }
        for (Schema.Field field : schema.getFields()) {
          if (!canBeEmpty(field.schema(), seen)) {
            return false;
          }
        }
        return true;
      default:
        return false; // numbers, strings, bytes, enums, unions, arrays, maps: >= 1 byte
    }
  }

  private int next() throws IOException {
    if (pos >= limit) {
      throw new EOFException("the data ends in the middle of a value");
    }
    return buf[pos++] & 0xff;
  }

  private void require(long length, String what) throws IOException {
    if (length < 0) {
      throw new MalformedDataException(what + " has a negative length " + length);
    }
    if (length > remaining()) {
      throw new EOFException(
          what + " of " + length + " bytes is longer than the " + remaining() + " bytes left");
    }
  }

  @Override
  public void readNull() {}

  @Override
  public boolean readBoolean() throws IOException {
    int b = next();
    if (b > 1) {
      throw new MalformedDataException("a boolean byte is " + b + ", not 0 or 1");
    }
    return b == 1;
  }

  @Override
  public int readInt() throws IOException {
    long raw = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = next();
      raw |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (raw > 0xffffffffL) {
          throw new MalformedDataException("an int varint overflows 32 bits");
        }
        int n = (int) raw;
        return (n >>> 1) ^ -(n & 1);
      }
    }
    throw new MalformedDataException("an int varint is longer than 5 bytes");
  }

  @Override
  public long readLong() throws IOException {
    long raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      int b = next();
      if (shift == 63 && (b & 0x7e) != 0) {
        throw new MalformedDataException("a long varint overflows 64 bits");
      }
      raw |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw new MalformedDataException("a long varint is longer than 10 bytes");
  }

  @Override
  public float readFloat() throws IOException {
    require(4, "a float");
    int bits =
        (buf[pos] & 0xff)
            | (buf[pos + 1] & 0xff) << 8
            | (buf[pos + 2] & 0xff) << 16
            | (buf[pos + 3] & 0xff) << 24;
    pos += 4;
    return Float.intBitsToFloat(bits);
  }

  @Override
  public double readDouble() throws IOException {
    require(8, "a double");
    long bits = 0;
    for (int i = 7; i >= 0; i--) {
      bits = (bits << 8) | (buf[pos + i] & 0xff);
    }
    pos += 8;
    return Double.longBitsToDouble(bits);
  }

  private int readLength(String what) throws IOException {
    long length = readLong();
    require(length, what);
    return (int) length;
  }

  @Override
  public Utf8 readString(Utf8 old) throws IOException {
    int length = readLength("a string");
    validateUtf8(length);
    byte[] bytes = new byte[length];
    System.arraycopy(buf, pos, bytes, 0, length);
    pos += length;
    return new Utf8(bytes);
  }

  @Override
  public String readString() throws IOException {
    int length = readLength("a string");
    String value = validateUtf8(length);
    pos += length;
    return value;
  }

  private String validateUtf8(int length) throws IOException {
    if (utf8 == null) {
      utf8 =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
    try {
      CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(buf, pos, length));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new MalformedDataException("a string of " + length + " bytes is not valid UTF-8");
    }
  }

  @Override
  public void skipString() throws IOException {
    int length = readLength("a string"); // read before pos is used: it moves pos
    pos += length;
  }

  @Override
  public ByteBuffer readBytes(ByteBuffer old) throws IOException {
    int length = readLength("a bytes value");
    byte[] copy = new byte[length];
    System.arraycopy(buf, pos, copy, 0, length);
    pos += length;
    return ByteBuffer.wrap(copy);
  }

  @Override
  public void skipBytes() throws IOException {
    int length = readLength("a bytes value"); // read before pos is used: it moves pos
    pos += length;
  }

  @Override
  public void readFixed(byte[] bytes, int start, int length) throws IOException {
    require(length, "a fixed value");
    System.arraycopy(buf, pos, bytes, start, length);
    pos += length;
  }

  @Override
  public void skipFixed(int length) throws IOException {
    require(length, "a fixed value");
    pos += length;
  }

  @Override
  public int readEnum() throws IOException {
    return readInt();
  }

  @Override
  public int readIndex() throws IOException {
    return readInt();
  }

  private long readItemCount(String what) throws IOException {
    long count = readLong();
    if (count < 0) {
      if (count == Long.MIN_VALUE) {
        throw new MalformedDataException(what + " block has an invalid item count");
      }
      count = -count;
      long blockBytes = readLong();
      require(blockBytes, what + " block");
    }
    long bound = itemsMayBeEmpty ? Math.max(remaining(), MAX_EMPTY_ITEMS) : remaining();
    if (count > bound) {
      throw new MalformedDataException(
          what + " block claims " + count + " items but only " + remaining() + " bytes are left");
    }
    return count;
  }

  private long skipItems(String what) throws IOException {
    long count = readLong();
    while (count < 0) {
      long blockBytes = readLong();
      require(blockBytes, what + " block");
      pos += (int) blockBytes;
      count = readLong();
    }
    long bound = itemsMayBeEmpty ? Math.max(remaining(), MAX_EMPTY_ITEMS) : remaining();
    if (count > bound) {
      throw new MalformedDataException(
          what + " block claims " + count + " items but only " + remaining() + " bytes are left");
    }
    return count;
  }

  @Override
  public long readArrayStart() throws IOException {
    return readItemCount("an array");
  }

  @Override
  public long arrayNext() throws IOException {
    return readItemCount("an array");
  }

  @Override
  public long skipArray() throws IOException {
    return skipItems("an array");
  }

  @Override
  public long readMapStart() throws IOException {
    return readItemCount("a map");
  }

  @Override
  public long mapNext() throws IOException {
    return readItemCount("a map");
  }

  @Override
  public long skipMap() throws IOException {
    return skipItems("a map");
  }
}
