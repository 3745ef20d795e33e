package dev.lodestone.schemas.registry;

import static dev.lodestone.schemas.registry.TestSchemas.OTHER;
import static dev.lodestone.schemas.registry.TestSchemas.THING_COUNT_AS_STRING;
import static dev.lodestone.schemas.registry.TestSchemas.THING_COUNT_BACK_AS_STRING;
import static dev.lodestone.schemas.registry.TestSchemas.THING_COUNT_WITH_DEFAULT;
import static dev.lodestone.schemas.registry.TestSchemas.THING_REQUIRED_FIELD;
import static dev.lodestone.schemas.registry.TestSchemas.THING_V1;
import static dev.lodestone.schemas.registry.TestSchemas.THING_V2;
import static dev.lodestone.schemas.registry.TestSchemas.THING_WITHOUT_COUNT;
import static dev.lodestone.schemas.registry.TestSchemas.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InMemorySchemaRegistryTest {

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

  @Test
  void shouldGiveTheSameIdToTheSameSchemaUnderEverySubject() {
    int first = registry.register("a-value", parse(THING_V1));
    int second = registry.register("b-value", parse(THING_V1));
    int other = registry.register("c-value", parse(OTHER));

    assertThat(first).isEqualTo(1);
    assertThat(second).isEqualTo(first);
    assertThat(other).isEqualTo(2);
    assertThat(registry.subjects()).containsExactly("a-value", "b-value", "c-value");
    assertThat(registry.versionsOfId(first))
        .extracting(RegisteredSchema::subject, RegisteredSchema::version)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a-value", 1),
            org.assertj.core.groups.Tuple.tuple("b-value", 1));
  }

  @Test
  void shouldCompareSchemasInNormalizedFormIgnoringWhitespaceAndAttributeOrder() {
    int id = registry.register("a-value", parse(THING_V1));
    Schema reordered =
        parse(
            "{\"namespace\":\"dev.lodestone.test\",\"name\":\"Thing\",\"type\":\"record\","
                + "\"fields\":[{\"type\":\"string\",\"name\":\"id\"},"
                + "{\"type\":\"int\",\"name\":\"count\"}]}");

    assertThat(registry.register("a-value", reordered)).isEqualTo(id);
    assertThat(registry.versions("a-value")).containsExactly(1);
    assertThat(registry.lookup("a-value", reordered)).isEqualTo(id);
  }

  @Test
  void shouldReturnTheExistingIdAndAddNoVersionWhenReRegistering() {
    int v1 = registry.register("a-value", parse(THING_V1));
    int v2 = registry.register("a-value", parse(THING_V2));

    assertThat(registry.register("a-value", parse(THING_V1))).isEqualTo(v1);
    assertThat(registry.registerVersion("a-value", parse(THING_V1)).version()).isEqualTo(1);
    assertThat(registry.versions("a-value")).containsExactly(1, 2);
    assertThat(registry.latest("a-value"))
        .isEqualTo(new RegisteredSchema("a-value", v2, 2, parse(THING_V2)));
    assertThat(registry.version("a-value", 1).id()).isEqualTo(v1);
  }

  @Test
  void shouldAnswerLookupsWithTypedNotFoundErrors() {
    registry.register("a-value", parse(THING_V1));

    assertThat(registry.lookupVersion("a-value", parse(THING_V1)))
        .extracting(RegisteredSchema::id, RegisteredSchema::version)
        .containsExactly(1, 1);
    assertThatThrownBy(() -> registry.lookup("a-value", parse(OTHER)))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(404);
              assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
              assertThat(e.isNotFound()).isTrue();
              assertThat(e.isRetriable()).isFalse();
            });
    assertThatThrownBy(() -> registry.lookup("missing-value", parse(THING_V1)))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
    assertThatThrownBy(() -> registry.schemaById(99))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
    assertThatThrownBy(() -> registry.version("a-value", 2))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.VERSION_NOT_FOUND));
    assertThatThrownBy(() -> registry.version("a-value", 0))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INVALID_VERSION));
    assertThatThrownBy(() -> registry.versions("missing-value"))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
  }

  @Test
  void shouldRejectAnIncompatibleVersionUnderTheDefaultBackwardLevel() {
    registry.register("a-value", parse(THING_V1));

    assertThat(registry.globalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
    assertThat(registry.testCompatibility("a-value", parse(THING_REQUIRED_FIELD))).isFalse();
    assertThat(registry.incompatibilities("a-value", parse(THING_REQUIRED_FIELD)))
        .singleElement()
        .asString()
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE", "owner", "version 1");
    assertThatThrownBy(() -> registry.register("a-value", parse(THING_REQUIRED_FIELD)))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(409);
              assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
              assertThat(e.getMessage()).contains("a-value", "owner");
            });
    assertThat(registry.versions("a-value")).containsExactly(1);
    assertThat(registry.register("a-value", parse(THING_V2))).isEqualTo(2);
  }

  @ParameterizedTest(name = "{0}: required field {1}, removed field {2}, type change {3}")
  @CsvSource({
    "NONE,                true,  true,  true",
    "BACKWARD,            false, true,  false",
    "FORWARD,             true,  false, false",
    "FULL,                false, false, false",
    "BACKWARD_TRANSITIVE, false, true,  false",
    "FORWARD_TRANSITIVE,  true,  false, false",
    "FULL_TRANSITIVE,     false, false, false"
  })
  void shouldApplyEachLevelsDirectionAgainstTheLatestVersion(
      CompatibilityLevel level,
      boolean acceptsRequiredField,
      boolean acceptsRemovedField,
      boolean acceptsTypeChange) {
    registry.setSubjectCompatibility("a-value", level);
    registry.register("a-value", parse(THING_V1));

    assertThat(registry.testCompatibility("a-value", parse(THING_REQUIRED_FIELD)))
        .isEqualTo(acceptsRequiredField);
    assertThat(registry.testCompatibility("a-value", parse(THING_WITHOUT_COUNT)))
        .isEqualTo(acceptsRemovedField);
    assertThat(registry.testCompatibility("a-value", parse(THING_COUNT_AS_STRING)))
        .isEqualTo(acceptsTypeChange);
    assertThat(registry.testCompatibility("a-value", parse(THING_V2))).isTrue();
  }

  @Test
  void shouldCheckEveryVersionOnlyUnderTransitiveBackward() {
    // v1 {id, count:int} -> v2 {id} -> v3 {id, count:string="none"}: v3 reads v2 data, not v1's.
    for (CompatibilityLevel level :
        List.of(CompatibilityLevel.BACKWARD, CompatibilityLevel.BACKWARD_TRANSITIVE)) {
      String subject = level.name().toLowerCase() + "-value";
      registry.setSubjectCompatibility(subject, level);
      registry.register(subject, parse(THING_V1));
      registry.register(subject, parse(THING_WITHOUT_COUNT));
      assertThat(registry.testCompatibility(subject, parse(THING_COUNT_BACK_AS_STRING)))
          .as(level.name())
          .isEqualTo(!level.isTransitive());
    }
  }

  @Test
  void shouldCheckEveryVersionOnlyUnderTransitiveForwardAndFull() {
    // v1 {id, count:int} -> v2 {id, count:int=0} -> v3 {id}: v2 readers fill the default, v1's
    // cannot.
    for (CompatibilityLevel level :
        List.of(
            CompatibilityLevel.FORWARD,
            CompatibilityLevel.FORWARD_TRANSITIVE,
            CompatibilityLevel.FULL,
            CompatibilityLevel.FULL_TRANSITIVE)) {
      String subject = level.name().toLowerCase() + "-value";
      registry.setSubjectCompatibility(subject, level);
      registry.register(subject, parse(THING_V1));
      registry.register(subject, parse(THING_COUNT_WITH_DEFAULT));
      assertThat(registry.testCompatibility(subject, parse(THING_WITHOUT_COUNT)))
          .as(level.name())
          .isEqualTo(!level.isTransitive());
    }
  }

  @Test
  void shouldUseTheSubjectLevelOverTheGlobalOneUntilItIsDeleted() {
    registry.setGlobalCompatibility(CompatibilityLevel.NONE);
    registry.setSubjectCompatibility("a-value", CompatibilityLevel.FULL);
    registry.register("a-value", parse(THING_V1));

    assertThat(registry.subjectCompatibility("a-value")).contains(CompatibilityLevel.FULL);
    assertThat(registry.subjectCompatibility("b-value")).isEmpty();
    assertThat(registry.effectiveCompatibility("b-value")).isEqualTo(CompatibilityLevel.NONE);
    assertThat(registry.testCompatibility("a-value", parse(THING_COUNT_AS_STRING))).isFalse();

    registry.deleteSubjectCompatibility("a-value");

    assertThat(registry.subjectCompatibility("a-value")).isEmpty();
    assertThat(registry.testCompatibility("a-value", parse(THING_COUNT_AS_STRING))).isTrue();
  }

  @Test
  void shouldAcceptAnySchemaAsTheFirstVersionOfASubject() {
    assertThat(registry.testCompatibility("new-value", parse(THING_V1))).isTrue();
  }

  @Test
  void shouldRejectInvalidSchemaTextWithInvalidSchemaCode() {
    assertThatThrownBy(() -> InMemorySchemaRegistry.parseSchema("{\"type\": \"recrod\"}"))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(422);
              assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INVALID_SCHEMA);
              assertThat(e.getMessage()).contains("recrod");
            });
  }

  @Test
  void shouldKeepIdsVersionsAndLevelsAcrossARestartWithADataDirectory(@TempDir Path dir) {
    int thing;
    int other;
    try (InMemorySchemaRegistry first = InMemorySchemaRegistry.open(dir)) {
      first.register("z-value", parse(OTHER)); // ids follow registration order, not names
      thing = first.register("a-value", parse(THING_V1));
      first.register("a-value", parse(THING_V2));
      other = first.register("b-value", parse(OTHER));
      first.setGlobalCompatibility(CompatibilityLevel.FULL);
      first.setSubjectCompatibility("a-value", CompatibilityLevel.NONE);
      first.setSubjectCompatibility("b-value", CompatibilityLevel.FORWARD);
      first.deleteSubjectCompatibility("b-value");
    }

    try (InMemorySchemaRegistry second = InMemorySchemaRegistry.open(dir)) {
      assertThat(second.subjects()).containsExactly("a-value", "b-value", "z-value");
      assertThat(second.lookup("a-value", parse(THING_V1))).isEqualTo(thing).isEqualTo(2);
      assertThat(second.latest("a-value").version()).isEqualTo(2);
      assertThat(second.lookup("b-value", parse(OTHER))).isEqualTo(other).isEqualTo(1);
      assertThat(second.globalCompatibility()).isEqualTo(CompatibilityLevel.FULL);
      assertThat(second.subjectCompatibility("a-value")).contains(CompatibilityLevel.NONE);
      assertThat(second.subjectCompatibility("b-value")).isEmpty();
      // New ids continue after the highest one replayed.
      assertThat(second.register("c-value", parse(THING_COUNT_AS_STRING))).isEqualTo(4);
    }
    try (InMemorySchemaRegistry third = InMemorySchemaRegistry.open(dir)) {
      assertThat(third.lookup("c-value", parse(THING_COUNT_AS_STRING))).isEqualTo(4);
    }
  }

  @Test
  void shouldDropALastLineCutShortByACrash(@TempDir Path dir) throws Exception {
    try (InMemorySchemaRegistry first = InMemorySchemaRegistry.open(dir)) {
      first.register("a-value", parse(THING_V1));
    }
    Files.writeString(
        dir.resolve("registry.log"), "{\"op\":\"register\",\"sub", StandardOpenOption.APPEND);

    try (InMemorySchemaRegistry second = InMemorySchemaRegistry.open(dir)) {
      assertThat(second.lookup("a-value", parse(THING_V1))).isEqualTo(1);
      assertThat(second.register("b-value", parse(OTHER))).isEqualTo(2);
    }
    try (InMemorySchemaRegistry third = InMemorySchemaRegistry.open(dir)) {
      assertThat(third.lookup("b-value", parse(OTHER))).isEqualTo(2);
    }
  }

  @Test
  void shouldRefuseACorruptLogNamingTheLine(@TempDir Path dir) throws Exception {
    try (InMemorySchemaRegistry first = InMemorySchemaRegistry.open(dir)) {
      first.register("a-value", parse(THING_V1));
    }
    Path log = dir.resolve("registry.log");
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    Files.writeString(log, "not json\n" + String.join("\n", lines) + "\n");

    assertThatThrownBy(() -> InMemorySchemaRegistry.open(dir))
        .isInstanceOfSatisfying(
            SchemaRegistryException.class,
            e -> {
              assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.STORE_ERROR);
              assertThat(e.getMessage()).contains("line 1", "registry.log");
            });
  }

  @Test
  void shouldRefuseADataDirectoryInUseByAnotherRegistry(@TempDir Path dir) {
    try (InMemorySchemaRegistry first = InMemorySchemaRegistry.open(dir)) {
      assertThatThrownBy(() -> InMemorySchemaRegistry.open(dir))
          .isInstanceOfSatisfying(
              SchemaRegistryException.class,
              e -> {
                assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.STORE_ERROR);
                assertThat(e.getMessage()).contains("already used by another schema registry");
              });
    }
    try (InMemorySchemaRegistry again = InMemorySchemaRegistry.create(Optional.of(dir))) {
      assertThat(again.isPersistent()).isTrue();
    }
  }

  @Test
  void shouldRefuseChangesAfterClose() {
    registry.close();
    assertThatThrownBy(() -> registry.register("a-value", parse(THING_V1)))
        .isInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("closed");
  }
}
