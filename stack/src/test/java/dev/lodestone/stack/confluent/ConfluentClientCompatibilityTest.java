package dev.lodestone.stack.confluent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroSerde;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.schemas.serde.WireFormat;
import dev.lodestone.schemas.testing.SampleRecords;
import dev.lodestone.stack.registry.EmbeddedSchemaRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.ParsedSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.MockSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaMetadata;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;
import org.apache.flink.avro.shaded.org.apache.avro.Schema;
import org.apache.flink.avro.shaded.org.apache.avro.generic.GenericData;
import org.apache.flink.avro.shaded.org.apache.avro.generic.GenericDatumReader;
import org.apache.flink.avro.shaded.org.apache.avro.generic.GenericDatumWriter;
import org.apache.flink.avro.shaded.org.apache.avro.io.BinaryEncoder;
import org.apache.flink.avro.shaded.org.apache.avro.io.DecoderFactory;
import org.apache.flink.avro.shaded.org.apache.avro.io.EncoderFactory;
import org.apache.flink.formats.avro.registry.confluent.ConfluentSchemaRegistryCoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Confluent's own schema registry client (kafka-schema-registry-client 7.5.3, shaded into Flink's
 * flink-sql-avro-confluent-registry) against {@link EmbeddedSchemaRegistry}, and Flink's Confluent
 * wire-format coder ({@link ConfluentSchemaRegistryCoder}) with the shaded Avro 1.11.4 framing and
 * decoding records on the Confluent side.
 */
class ConfluentClientCompatibilityTest {
  private static final String V1 =
      """
      {"type": "record", "name": "Thing", "namespace": "dev.lodestone.test",
       "fields": [{"name": "id", "type": "string"}, {"name": "count", "type": "int"}]}
      """;
  private static final String V2 =
      """
      {"type": "record", "name": "Thing", "namespace": "dev.lodestone.test",
       "fields": [{"name": "id", "type": "string"}, {"name": "count", "type": "int"},
                  {"name": "note", "type": ["null", "string"], "default": null}]}
      """;
  private static final String INCOMPATIBLE =
      """
      {"type": "record", "name": "Thing", "namespace": "dev.lodestone.test",
       "fields": [{"name": "id", "type": "string"}, {"name": "count", "type": "int"},
                  {"name": "owner", "type": "string"}]}
      """;

  private EmbeddedSchemaRegistry server;
  private CachedSchemaRegistryClient confluent;

  @BeforeEach
  void start() {
    server = EmbeddedSchemaRegistry.start("127.0.0.1", 0, Optional.empty());
    confluent = new CachedSchemaRegistryClient(server.url(), 100);
  }

  @AfterEach
  void stop() throws Exception {
    confluent.close();
    server.close();
  }

  @Test
  void shouldServeConfluentsClientForRegistrationLookupsAndConfig() throws Exception {
    int id = confluent.register("things-value", new AvroSchema(V1));
    assertThat(confluent.register("copies-value", new AvroSchema(V1))).isEqualTo(id);
    assertThat(confluent.register("things-value", new AvroSchema(V1))).isEqualTo(id);

    assertThatThrownBy(() -> confluent.register("things-value", new AvroSchema(INCOMPATIBLE)))
        .isInstanceOfSatisfying(
            RestClientException.class,
            e -> {
              assertThat(e.getStatus()).isEqualTo(409);
              assertThat(e.getErrorCode()).isEqualTo(409);
            });
    assertThat(confluent.testCompatibility("things-value", new AvroSchema(INCOMPATIBLE))).isFalse();
    assertThat(confluent.testCompatibility("things-value", new AvroSchema(V2))).isTrue();

    int v2 = confluent.register("things-value", new AvroSchema(V2));
    assertThat(v2).isNotEqualTo(id);
    assertThat(server.registry().versions("things-value")).containsExactly(1, 2);

    // Lookups through a fresh client, so that nothing comes from its caches.
    CachedSchemaRegistryClient fresh = new CachedSchemaRegistryClient(server.url(), 100);
    ParsedSchema byId = fresh.getSchemaById(id);
    assertThat(((AvroSchema) byId).rawSchema()).isEqualTo(new Schema.Parser().parse(V1));
    assertThat(fresh.getId("things-value", new AvroSchema(V1))).isEqualTo(id);
    assertThat(fresh.getVersion("things-value", new AvroSchema(V2))).isEqualTo(2);
    assertThat(fresh.getAllVersions("things-value")).containsExactly(1, 2);
    assertThat(fresh.getAllSubjects()).containsExactlyInAnyOrder("things-value", "copies-value");
    SchemaMetadata first = fresh.getSchemaMetadata("things-value", 1);
    assertThat(first.getId()).isEqualTo(id);
    assertThat(first.getVersion()).isEqualTo(1);
    assertThat(new Schema.Parser().parse(first.getSchema()))
        .isEqualTo(new Schema.Parser().parse(V1));
    SchemaMetadata latest = fresh.getLatestSchemaMetadata("things-value");
    assertThat(latest.getId()).isEqualTo(v2);
    assertThat(latest.getVersion()).isEqualTo(2);
    assertThatThrownBy(() -> fresh.getLatestSchemaMetadata("missing-value"))
        .isInstanceOfSatisfying(
            RestClientException.class,
            e -> {
              assertThat(e.getStatus()).isEqualTo(404);
              assertThat(e.getErrorCode()).isEqualTo(40401);
            });
    assertThatThrownBy(() -> fresh.getSchemaById(999))
        .isInstanceOfSatisfying(
            RestClientException.class, e -> assertThat(e.getErrorCode()).isEqualTo(40403));

    assertThat(fresh.getCompatibility(null)).isEqualTo("BACKWARD");
    assertThat(fresh.updateCompatibility(null, "FULL")).isEqualTo("FULL");
    assertThat(fresh.getCompatibility(null)).isEqualTo("FULL");
    assertThat(fresh.updateCompatibility("things-value", "NONE")).isEqualTo("NONE");
    assertThat(fresh.getCompatibility("things-value")).isEqualTo("NONE");
    assertThat(fresh.register("things-value", new AvroSchema(INCOMPATIBLE))).isPositive();
    fresh.deleteConfig("things-value");
    assertThat(server.registry().subjectCompatibility("things-value")).isEmpty();
    fresh.close();
  }

  @Test
  void shouldAssignTheSameIdsAndVersionsAsConfluentsMockRegistry() throws Exception {
    // Confluent's in-memory reference implementation as oracle for id and version semantics.
    SchemaRegistryClient mock = new MockSchemaRegistryClient();
    List<String[]> script =
        List.of(
            new String[] {"a-value", V1},
            new String[] {"b-value", V1},
            new String[] {"a-value", V2},
            new String[] {"a-value", V1},
            new String[] {"c-value", V2},
            new String[] {"b-value", V2});
    for (String[] step : script) {
      int expected = mock.register(step[0], new AvroSchema(step[1]));
      int actual = confluent.register(step[0], new AvroSchema(step[1]));
      assertThat(actual).as("id of %s", step[0]).isEqualTo(expected);
      assertThat(confluent.getVersion(step[0], new AvroSchema(step[1])))
          .isEqualTo(mock.getVersion(step[0], new AvroSchema(step[1])));
    }
    for (String subject : List.of("a-value", "b-value", "c-value")) {
      assertThat(confluent.getAllVersions(subject)).isEqualTo(mock.getAllVersions(subject));
    }
  }

  @Test
  void shouldDecodeRecordsFramedByConfluentsCoderWithOurDeserializer() throws Exception {
    RestSchemaRegistryClient ours = server.client();
    for (Map.Entry<TopicSpec<?>, SpecificRecord> entry : SampleRecords.byTopic().entrySet()) {
      TopicSpec<?> topic = entry.getKey();
      SpecificRecord expected = entry.getValue();
      GenericData.Record shaded = ShadedAvro.toShaded(expected);

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new ConfluentSchemaRegistryCoder(topic.valueSubject(), confluent)
          .writeSchema(shaded.getSchema(), out); // registers through Confluent's client
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericData.Record>(shaded.getSchema()).write(shaded, encoder);
      encoder.flush();
      byte[] bytes = out.toByteArray();

      SpecificRecord decoded = decode(topic, ours, bytes);
      assertThat(decoded).as(topic.name()).isEqualTo(expected);
      assertThat(WireFormat.schemaId(bytes))
          .isEqualTo(ours.lookup(topic.valueSubject(), topic.valueSchema()));
    }
  }

  @Test
  void shouldProduceBytesThatConfluentsCoderDecodes() throws Exception {
    RestSchemaRegistryClient ours = server.client();
    for (Map.Entry<TopicSpec<?>, SpecificRecord> entry : SampleRecords.byTopic().entrySet()) {
      TopicSpec<?> topic = entry.getKey();
      byte[] bytes = encode(topic, ours, entry.getValue());

      InputStream in = new ByteArrayInputStream(bytes);
      Schema writer =
          new ConfluentSchemaRegistryCoder(topic.valueSubject(), confluent).readSchema(in);
      Object read =
          new GenericDatumReader<GenericData.Record>(writer)
              .read(null, DecoderFactory.get().binaryDecoder(in, null));

      assertThat(in.read()).as("bytes left after the record").isEqualTo(-1);
      assertThat(read).as(topic.name()).isEqualTo(ShadedAvro.toShaded(entry.getValue()));
    }
  }

  @SuppressWarnings("unchecked")
  private static <V extends SpecificRecord> byte[] encode(
      TopicSpec<V> topic, RestSchemaRegistryClient registry, SpecificRecord value) {
    AvroSerde<V> serde = TopicSerdes.valueSerde(topic, registry);
    return serde.serializer().encode((V) value);
  }

  private static <V extends SpecificRecord> V decode(
      TopicSpec<V> topic, RestSchemaRegistryClient registry, byte[] bytes) {
    return TopicSerdes.valueDeserializer(topic, registry).deserialize(topic.name(), bytes);
  }

  @Test
  void shouldAgreeWithConfluentOnTheCanonicalForm() throws Exception {
    // Confluent compares Avro schemas by their canonical string; ours must be the same text.
    for (SpecificRecord record : SampleRecords.byTopic().values()) {
      String ours = InMemorySchemaRegistry.canonical(record.getSchema());
      assertThat(
              new AvroSchema(
                      org.apache.avro.SchemaFormatter.format("json/pretty", record.getSchema()))
                  .canonicalString())
          .isEqualTo(ours);
    }
  }
}
