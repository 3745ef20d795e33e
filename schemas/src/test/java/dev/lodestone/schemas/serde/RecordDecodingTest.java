package dev.lodestone.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.Prompt;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import dev.lodestone.schemas.registry.SchemaRegistryException;
import dev.lodestone.schemas.serde.RecordDecodingException.Reason;
import dev.lodestone.schemas.testing.SampleRecords;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class RecordDecodingTest {
  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final AvroSerde<SampleGroup> samples = TopicSerdes.valueSerde(Topics.SAMPLES, registry);
  private final AvroDeserializer<SampleGroup> deserializer = samples.deserializer();

  private static ConsumerRecord<String, byte[]> consumed(byte[] value) {
    return new ConsumerRecord<>(
        "samples",
        5,
        1234L,
        0L,
        TimestampType.CREATE_TIME,
        0,
        value == null ? 0 : value.length,
        "group-1",
        value,
        new RecordHeaders(),
        Optional.empty());
  }

  private void assertFailure(byte[] bytes, Reason reason, String... messageParts) {
    ThrowingCallable decode = () -> deserializer.decode(consumed(bytes));
    assertThatThrownBy(decode)
        .isInstanceOfSatisfying(
            RecordDecodingException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.topic()).isEqualTo("samples");
              assertThat(e.partition()).isEqualTo(5);
              assertThat(e.offset()).isEqualTo(1234L);
              assertThat(e.getMessage())
                  .contains("topic samples partition 5 offset 1234", reason.name())
                  .contains(messageParts);
            });
    assertThat(new RecordDecodingException("t", 0, 0, reason, -1, "x", null))
        .isInstanceOf(SerializationException.class);
  }

  private byte[] validBytes() {
    return samples.serializer().encode(SampleRecords.sampleGroup());
  }

  @Test
  void shouldDecodeAConsumedRecord() {
    assertThat(deserializer.decode(consumed(validBytes()))).isEqualTo(SampleRecords.sampleGroup());
  }

  @Test
  void shouldRejectANullValue() {
    assertFailure(null, Reason.NULL_PAYLOAD, "null");
  }

  @Test
  void shouldRejectFewerBytesThanTheHeader() {
    assertFailure(new byte[0], Reason.TOO_SHORT, "0 bytes");
    assertFailure(new byte[] {0, 0, 0, 1}, Reason.TOO_SHORT, "4 bytes");
  }

  @Test
  void shouldRejectAWrongMagicByte() {
    byte[] bytes = validBytes();
    bytes[0] = 1;
    assertFailure(bytes, Reason.BAD_MAGIC_BYTE, "0x01");
    assertFailure("{\"json\": true}".getBytes(), Reason.BAD_MAGIC_BYTE, "0x7b");
  }

  @Test
  void shouldRejectAnUnknownSchemaId() {
    byte[] bytes = WireFormat.frame(424242, new byte[] {2, 'a'});
    assertFailure(bytes, Reason.UNKNOWN_SCHEMA_ID, "424242");
  }

  @Test
  void shouldRejectAWriterSchemaThatCannotBeReadAsTheTopicsType() {
    // A PreferenceLabel on the samples topic: a registered schema, but another record.
    AvroSerde<PreferenceLabel> labels = TopicSerdes.valueSerde(Topics.LABELS, registry);
    byte[] bytes = labels.serializer().encode(SampleRecords.preferenceLabel());

    assertFailure(bytes, Reason.INCOMPATIBLE_WRITER_SCHEMA, "SampleGroup", "NAME_MISMATCH");
    // Cached per id: the second failure is the same.
    assertFailure(bytes, Reason.INCOMPATIBLE_WRITER_SCHEMA, "SampleGroup");
  }

  @Test
  void shouldRejectATruncatedPayloadAtEveryLength() {
    byte[] bytes = validBytes();
    for (int length = WireFormat.HEADER_SIZE; length < bytes.length; length++) {
      byte[] cut = Arrays.copyOf(bytes, length);
      int cutAt = length;
      assertThatThrownBy(() -> deserializer.decode(consumed(cut)))
          .as("cut at %d of %d bytes", cutAt, bytes.length)
          .isInstanceOfSatisfying(
              RecordDecodingException.class,
              e -> assertThat(e.reason()).isIn(Reason.TRUNCATED_PAYLOAD, Reason.CORRUPT_PAYLOAD));
    }
    assertFailure(Arrays.copyOf(bytes, bytes.length - 1), Reason.TRUNCATED_PAYLOAD, "ends early");
  }

  @Test
  void shouldRejectTrailingBytes() {
    byte[] bytes = Arrays.copyOf(validBytes(), validBytes().length + 3);
    assertFailure(bytes, Reason.CORRUPT_PAYLOAD, "3 bytes left over");
  }

  @Test
  void shouldRejectAHugeStringLengthWithoutAllocatingIt() throws Exception {
    // groupId claims 1.5 GB: Avro's own decoder would try to allocate it.
    byte[] bytes = framedSampleGroupId(1_500_000_000L);
    assertFailure(bytes, Reason.TRUNCATED_PAYLOAD, "1500000000 bytes");
  }

  @Test
  void shouldRejectANegativeLength() throws Exception {
    assertFailure(framedSampleGroupId(-5), Reason.CORRUPT_PAYLOAD, "negative length");
  }

  @Test
  void shouldRejectAHugeArrayCountWithoutAllocatingIt() throws Exception {
    int id = registry.register("samples-value", SampleGroup.getClassSchema());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    for (String text : new String[] {"g", "p", "t", "prompt"}) {
      encoder.writeString(text);
    }
    encoder.writeArrayStart();
    encoder.setItemCount(1_000_000_000L); // promptTokenIds claims a billion ints
    encoder.flush();
    assertFailure(
        WireFormat.frame(id, out.toByteArray()), Reason.CORRUPT_PAYLOAD, "1000000000 items");
  }

  @Test
  void shouldRejectAnInvalidUnionIndexAndInvalidUtf8() throws Exception {
    AvroSerde<MetricEvent> metrics = TopicSerdes.valueSerde(Topics.METRICS, registry);
    byte[] bytes = metrics.serializer().encode(SampleRecords.metricEvent());
    // The first field, component = "learner": corrupt its first character into invalid UTF-8.
    bytes[WireFormat.HEADER_SIZE + 1] = (byte) 0xc3;
    bytes[WireFormat.HEADER_SIZE + 2] = (byte) 0x28;
    assertThatThrownBy(() -> metrics.deserializer().deserialize("metrics", bytes))
        .isInstanceOfSatisfying(
            RecordDecodingException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.CORRUPT_PAYLOAD);
              assertThat(e.getMessage())
                  .contains("UTF-8", "topic metrics (partition and offset unknown)");
              assertThat(e.partition()).isEqualTo(RecordDecodingException.UNKNOWN);
            });

    AvroSerde<dev.lodestone.schemas.avro.PolicyVersion> policy =
        TopicSerdes.valueSerde(Topics.POLICY, registry);
    dev.lodestone.schemas.avro.PolicyVersion version = SampleRecords.policyVersion();
    byte[] encoded = policy.serializer().encode(version);
    // The weights union index follows modelId, role, 5 longs/ints; find it by re-encoding a
    // record whose union is null and comparing.
    version.setWeights(null);
    version.setUri(null);
    byte[] nulls = policy.serializer().encode(version);
    int at = firstDifference(encoded, nulls);
    encoded[at] = 9; // union index 9 (zig-zag): no such branch
    assertThatThrownBy(() -> policy.deserializer().deserialize("policy", encoded))
        .isInstanceOfSatisfying(
            RecordDecodingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT_PAYLOAD));
  }

  @Test
  void shouldTellAnUnreachableRegistryFromABadRecord() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    RestSchemaRegistryClient unreachable =
        RestSchemaRegistryClient.builder("http://127.0.0.1:" + port).maxRetries(0).build();
    AvroDeserializer<Prompt> prompts = TopicSerdes.valueDeserializer(Topics.PROMPTS, unreachable);

    assertThatThrownBy(() -> prompts.deserialize("prompts", WireFormat.frame(1, new byte[] {0})))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.isRetriable()).isTrue();
              assertThat(e.httpStatus()).isEqualTo(SchemaRegistryException.NO_RESPONSE);
            });
  }

  private byte[] framedSampleGroupId(long declaredLength) throws Exception {
    int id = registry.register("samples-value", SampleGroup.getClassSchema());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    encoder.writeLong(declaredLength);
    encoder.writeFixed(new byte[] {'a', 'b', 'c'});
    encoder.flush();
    return WireFormat.frame(id, out.toByteArray());
  }

  private static int firstDifference(byte[] a, byte[] b) {
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] != b[i]) {
        return i;
      }
    }
    throw new IllegalStateException("no difference");
  }

  @Test
  void shouldAllowLargeCountsOfItemsThatEncodeToNothing() {
    Schema nulls =
        new Schema.Parser()
            .parse(
                "{\"type\":\"record\",\"name\":\"N\",\"fields\":[{\"name\":\"a\",\"type\":"
                    + "{\"type\":\"array\",\"items\":\"null\"}}]}");
    assertThat(dev.lodestone.schemas.serde.internal.BoundedBinaryDecoder.itemsMayBeEmpty(nulls))
        .isTrue();
    assertThat(
            dev.lodestone.schemas.serde.internal.BoundedBinaryDecoder.itemsMayBeEmpty(
                SampleGroup.getClassSchema()))
        .isFalse();
  }
}
