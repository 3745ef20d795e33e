package dev.lodestone.schemas.serde;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Confluent's wire format: byte 0 is the magic byte 0x00, bytes 1 to 4 the schema id (big-endian),
 * the rest the Avro binary encoding of the record.
 */
public final class WireFormat {
  private WireFormat() {}

  /** The first byte of every framed record. */
  public static final byte MAGIC_BYTE = 0x0;

  /** Bytes before the Avro payload: the magic byte and the 4-byte schema id. */
  public static final int HEADER_SIZE = 5;

  /** Frames an Avro payload with the magic byte and the schema id. */
  public static byte[] frame(int schemaId, byte[] avroPayload) {
    Objects.requireNonNull(avroPayload, "avroPayload");
    return ByteBuffer.allocate(HEADER_SIZE + avroPayload.length)
        .put(MAGIC_BYTE)
        .putInt(schemaId)
        .put(avroPayload)
        .array();
  }

  /** Whether the bytes start with a complete header and the magic byte. */
  public static boolean isFramed(byte[] bytes) {
    return bytes != null && bytes.length >= HEADER_SIZE && bytes[0] == MAGIC_BYTE;
  }

  /**
   * The schema id of framed bytes.
   *
   * @throws IllegalArgumentException when the bytes are not framed (see {@link #isFramed})
   */
  public static int schemaId(byte[] framed) {
    if (!isFramed(framed)) {
      throw new IllegalArgumentException(
          "bytes are not in the Confluent wire format (null, shorter than "
              + HEADER_SIZE
              + " bytes, or not starting with 0x00)");
    }
    return ByteBuffer.wrap(framed, 1, 4).getInt();
  }
}
