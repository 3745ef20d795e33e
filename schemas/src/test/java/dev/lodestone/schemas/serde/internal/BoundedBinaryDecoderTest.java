package dev.lodestone.schemas.serde.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.RandomData;
import org.junit.jupiter.api.Test;

/** The bounded decoder reads exactly what Avro's own decoder reads, on every Avro type. */
class BoundedBinaryDecoderTest {

  private static final Schema ALL_TYPES =
      new Schema.Parser()
          .parse(
              """
              {"type": "record", "name": "AllTypes", "fields": [
                {"name": "keep", "type": "int"},
                {"name": "n", "type": "null"},
                {"name": "b", "type": "boolean"},
                {"name": "i", "type": "int"},
                {"name": "l", "type": "long"},
                {"name": "f", "type": "float"},
                {"name": "d", "type": "double"},
                {"name": "bytes", "type": "bytes"},
                {"name": "s", "type": "string"},
                {"name": "fixed", "type": {"type": "fixed", "name": "F", "size": 3}},
                {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}},
                {"name": "ints", "type": {"type": "array", "items": "int"}},
                {"name": "strings", "type": {"type": "map", "values": "string"}},
                {"name": "u", "type": ["null", "string", "double"]},
                {"name": "nested", "type": {"type": "array", "items": {
                  "type": "record", "name": "Inner", "fields": [
                    {"name": "x", "type": "long"},
                    {"name": "m", "type": {"type": "map", "values": {"type": "array",
                                                                  "items": "float"}}}]}}},
                {"name": "last", "type": "string"}
              ]}
              """);

  /** Only the first field: every other writer field is skipped during resolution. */
  private static final Schema KEEP_ONLY =
      new Schema.Parser()
          .parse(
              """
              {"type": "record", "name": "AllTypes", "fields": [{"name": "keep", "type": "int"}]}
              """);

  private static byte[] encode(Object datum, boolean blocking) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder =
        blocking
            // Small blocks: arrays and maps are written as blocks with byte sizes (negative
            // counts), the form the skip paths can jump over.
            ? new EncoderFactory().configureBlockSize(64).blockingBinaryEncoder(out, null)
            : EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<>(ALL_TYPES).write(datum, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  @Test
  void shouldReadAndSkipEveryTypeExactlyAsAvroDoes() throws IOException {
    int records = 0;
    for (Object datum : new RandomData(ALL_TYPES, 300, 20260101L)) {
      for (boolean blocking : new boolean[] {false, true}) {
        byte[] bytes = encode(datum, blocking);

        BoundedBinaryDecoder full = new BoundedBinaryDecoder(bytes, 0, bytes.length, false);
        Object read = new GenericDatumReader<>(ALL_TYPES).read(null, full);
        assertThat(read)
            .isEqualTo(datum)
            .isEqualTo(
                new GenericDatumReader<>(ALL_TYPES)
                    .read(null, DecoderFactory.get().binaryDecoder(bytes, null)));
        assertThat(full.remaining()).isZero();

        BoundedBinaryDecoder skipping = new BoundedBinaryDecoder(bytes, 0, bytes.length, false);
        Object kept = new GenericDatumReader<>(ALL_TYPES, KEEP_ONLY).read(null, skipping);
        Object expected =
            new GenericDatumReader<>(ALL_TYPES, KEEP_ONLY)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertThat(kept).isEqualTo(expected);
        assertThat(skipping.remaining()).isZero();
        records++;
      }
    }
    assertThat(records).isEqualTo(600);
  }

  @Test
  void shouldReadVarintsAtTheirLimits() throws IOException {
    long[] longs = {
      0, 1, -1, 63, -64, 64, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    for (long value : longs) {
      encoder.writeLong(value);
    }
    encoder.writeInt(Integer.MAX_VALUE);
    encoder.writeInt(Integer.MIN_VALUE);
    encoder.flush();
    byte[] bytes = out.toByteArray();

    BoundedBinaryDecoder decoder = new BoundedBinaryDecoder(bytes, 0, bytes.length, false);
    for (long value : longs) {
      assertThat(decoder.readLong()).isEqualTo(value);
    }
    assertThat(decoder.readInt()).isEqualTo(Integer.MAX_VALUE);
    assertThat(decoder.readInt()).isEqualTo(Integer.MIN_VALUE);
    assertThat(decoder.remaining()).isZero();
  }

  @Test
  void shouldRejectOverlongVarintsAndBadBooleans() {
    byte[] elevenBytes = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1};
    assertThatThrownBy(() -> decoder(elevenBytes).readLong())
        .isInstanceOf(MalformedDataException.class);
    byte[] sixBytes = {-1, -1, -1, -1, -1, 1};
    assertThatThrownBy(() -> decoder(sixBytes).readInt())
        .isInstanceOf(MalformedDataException.class);
    byte[] overflowingInt = {-1, -1, -1, -1, 0x7f};
    assertThatThrownBy(() -> decoder(overflowingInt).readInt())
        .isInstanceOf(MalformedDataException.class);
    assertThatThrownBy(() -> decoder(new byte[] {2}).readBoolean())
        .isInstanceOf(MalformedDataException.class)
        .hasMessageContaining("not 0 or 1");
    assertThatThrownBy(() -> decoder(new byte[] {1, 2}).readDouble())
        .isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> decoder(new byte[0]).readInt()).isInstanceOf(EOFException.class);
  }

  @Test
  void shouldBoundCountsOfItemsThatMayEncodeToNothingByAFixedLimit() throws IOException {
    byte[] count = {(byte) 0xfe, (byte) 0xff, 0x7f}; // zig-zag 1,048,575
    assertThat(new BoundedBinaryDecoder(count, 0, 3, true).readArrayStart()).isEqualTo(1_048_575);
    assertThatThrownBy(() -> new BoundedBinaryDecoder(count, 0, 3, false).readArrayStart())
        .isInstanceOf(MalformedDataException.class);
    byte[] tooMany = {(byte) 0x82, (byte) 0x80, (byte) 0x80, 0x01}; // 1,048,577
    assertThatThrownBy(() -> new BoundedBinaryDecoder(tooMany, 0, 4, true).readArrayStart())
        .isInstanceOf(MalformedDataException.class);
  }

  @Test
  void shouldRejectARangeOutsideTheArray() {
    assertThatThrownBy(() -> new BoundedBinaryDecoder(new byte[4], 2, 3, false))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static BoundedBinaryDecoder decoder(byte[] bytes) {
    return new BoundedBinaryDecoder(bytes, 0, bytes.length, false);
  }
}
