package dev.lodestone.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.Prompt;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import dev.lodestone.schemas.registry.SchemaRegistryException;
import dev.lodestone.schemas.testing.SampleRecords;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

  @SuppressWarnings("unchecked")
  private <V extends SpecificRecord> V roundTrip(TopicSpec<V> topic, SpecificRecord value) {
    AvroSerde<V> serde = TopicSerdes.valueSerde(topic, registry);
    byte[] bytes = serde.serializer().serialize(topic.name(), (V) value);
    return serde.deserializer().deserialize(topic.name(), bytes);
  }

  @Test
  void shouldRoundTripAnExampleOfEveryCatalogueType() {
    for (Map.Entry<TopicSpec<?>, SpecificRecord> entry : SampleRecords.byTopic().entrySet()) {
      SpecificRecord decoded = roundTrip(entry.getKey(), entry.getValue());
      assertThat(decoded).as(entry.getKey().name()).isEqualTo(entry.getValue());
      assertThat(decoded).isInstanceOf(entry.getKey().valueType());
    }
    assertThat(registry.subjects())
        .containsExactlyInAnyOrderElementsOf(
            Topics.ALL.stream().map(TopicSpec::valueSubject).toList());
  }

  @Test
  void shouldFrameWithMagicByteAndBigEndianSchemaIdOfTheTopicSubject() {
    registry.register("unrelated-value", Schema.create(Schema.Type.STRING)); // takes id 1
    AvroSerializer<Prompt> serializer =
        TopicSerdes.valueSerde(Topics.PROMPTS, registry).serializer();

    byte[] bytes = serializer.encode(SampleRecords.prompt());

    int id = registry.lookup("prompts-value", Prompt.getClassSchema());
    assertThat(id).isEqualTo(2);
    assertThat(serializer.schemaId()).isEqualTo(id);
    assertThat(bytes[0]).isEqualTo((byte) 0);
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
    assertThat(WireFormat.isFramed(bytes)).isTrue();
    assertThat(WireFormat.schemaId(bytes)).isEqualTo(id);
    // The payload is plain Avro binary: the first field is the promptId string "prompt-1".
    assertThat(bytes[5]).isEqualTo((byte) (2 * "prompt-1".length()));
  }

  @Test
  void shouldSerializeNullAsATombstone() {
    AvroSerde<Prompt> serde = TopicSerdes.valueSerde(Topics.PROMPTS, registry);
    assertThat(serde.serializer().serialize("prompts", null)).isNull();
  }

  @Test
  void shouldUseOnlyTheRegisteredIdWhenAutoRegistrationIsOff() {
    AvroSerializer<Prompt> serializer =
        TopicSerdes.valueSerializer(Topics.PROMPTS, registry, SchemaRegistration.USE_REGISTERED);

    assertThatThrownBy(() -> serializer.encode(SampleRecords.prompt()))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
    assertThat(registry.subjects()).isEmpty();

    int id = registry.register("prompts-value", Prompt.getClassSchema());
    assertThat(WireFormat.schemaId(serializer.encode(SampleRecords.prompt()))).isEqualTo(id);
  }

  @Test
  void shouldNameTheTopicWhenAValueCannotBeEncoded() {
    Prompt broken = SampleRecords.prompt();
    broken.setText(null); // bypasses the builder's validation
    AvroSerializer<Prompt> serializer =
        TopicSerdes.valueSerde(Topics.PROMPTS, registry).serializer();

    assertThatThrownBy(() -> serializer.serialize("prompts", broken))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Prompt for topic prompts");
  }

  @Test
  void shouldRefuseToServeAsAKeySerde() {
    AvroSerde<Prompt> serde = TopicSerdes.valueSerde(Topics.PROMPTS, registry);
    assertThatThrownBy(() -> serde.serializer().configure(Map.of(), true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prompts");
    assertThatThrownBy(() -> serde.deserializer().configure(Map.of(), true))
        .isInstanceOf(IllegalArgumentException.class);
    serde.configure(Map.of(), false);
  }

  @Test
  void shouldReadDataOfANewerWriterSchemaIntoTheCompiledClass() {
    // v2 of Prompt adds a field with a default; a v2 writer's data reads as v1 (field dropped).
    Schema v2 = EvolvedSchemas.promptV2();
    GenericAvroSerializer v2Writer =
        new GenericAvroSerializer(Topics.PROMPTS, v2, registry, SchemaRegistration.AUTO_REGISTER);
    GenericRecord record = EvolvedSchemas.promptV2Record(v2, SampleRecords.prompt(), "es");

    byte[] bytes = v2Writer.serialize("prompts", record);
    Prompt decoded =
        TopicSerdes.valueDeserializer(Topics.PROMPTS, registry).deserialize("prompts", bytes);

    assertThat(decoded).isEqualTo(SampleRecords.prompt());
    assertThat(registry.versions("prompts-value")).containsExactly(1);
  }

  @Test
  void shouldReadDataOfTheCompiledSchemaWithANewerReaderSchema() {
    Schema v2 = EvolvedSchemas.promptV2();
    byte[] bytes =
        TopicSerdes.valueSerde(Topics.PROMPTS, registry)
            .serializer()
            .encode(SampleRecords.prompt());

    GenericRecord decoded =
        new GenericAvroDeserializer(Topics.PROMPTS, v2, registry).deserialize("prompts", bytes);

    assertThat(decoded.get("promptId")).hasToString("prompt-1");
    assertThat(decoded.get("language")).hasToString("en"); // the v2 default
  }

  @Test
  void shouldRegisterTheEvolvedSchemaAsVersionTwoUnderBackwardCompatibility() {
    TopicSerdes.valueSerde(Topics.SAMPLES, registry)
        .serializer()
        .encode(SampleRecords.sampleGroup());
    Schema v2 = EvolvedSchemas.sampleGroupV2();

    int id =
        new GenericAvroSerializer(Topics.SAMPLES, v2, registry, SchemaRegistration.AUTO_REGISTER)
            .schemaId();

    assertThat(registry.versions("samples-value")).containsExactly(1, 2);
    assertThat(registry.latest("samples-value").id()).isEqualTo(id);
    assertThat(registry.version("samples-value", 1).schema())
        .isEqualTo(SampleGroup.getClassSchema());
    assertThat(new GenericData.Record(v2).getSchema().getField("temperature")).isNotNull();
  }
}
