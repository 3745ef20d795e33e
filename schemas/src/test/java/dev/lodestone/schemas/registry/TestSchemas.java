package dev.lodestone.schemas.registry;

import org.apache.avro.Schema;

/** Small schemas for registry tests, written out so that each evolution step is visible. */
public final class TestSchemas {
  private TestSchemas() {}

  public static Schema parse(String json) {
    return new Schema.Parser().parse(json);
  }

  /** {@code Thing {id: string, count: int}}. */
  public static final String THING_V1 =
      """
      {"type": "record", "name": "Thing", "namespace": "dev.lodestone.test",
       "fields": [{"name": "id", "type": "string"}, {"name": "count", "type": "int"}]}
      """;

  /** V1 plus an optional field with a default: compatible in every direction. */
  public static final String THING_V2 =
      """
      {"type": "record", "name": "Thing", "namespace": "dev.lodestone.test",
       "fields": [{"name": "id", "type": "string"}, {"name": "count", "type": "int"},
                  {"name": "note", "type": ["null", "string"], "default": null}]}
      """;

  /** V1 plus a required field without default: a new reader cannot read old data. */
  public static final String THING_REQUIRED_FIELD =
      """
      {"type": "record", "name": "Thing", "namespace": "dev.lodestone.test",
       "fields": [{"name": "id", "type": "string"}, {"name": "count", "type": "int"},
                  {"name": "owner", "type": "string"}]}
      """;

  /** V1 with {@code count} removed: old readers miss a field without default. */
  public static final String THING_WITHOUT_COUNT =
      """
      {"type": "record", "name": "Thing", "namespace": "dev.lodestone.test",
       "fields": [{"name": "id", "type": "string"}]}
      """;

  /** V1 with {@code count} changed from int to string: incompatible both ways. */
  public static final String THING_COUNT_AS_STRING =
      """
      {"type": "record", "name": "Thing", "namespace": "dev.lodestone.test",
       "fields": [{"name": "id", "type": "string"}, {"name": "count", "type": "string"}]}
      """;

  /** V1 with {@code count} given a default. */
  public static final String THING_COUNT_WITH_DEFAULT =
      """
      {"type": "record", "name": "Thing", "namespace": "dev.lodestone.test",
       "fields": [{"name": "id", "type": "string"},
                  {"name": "count", "type": "int", "default": 0}]}
      """;

  /** V1 with {@code count} brought back as a string with a default. */
  public static final String THING_COUNT_BACK_AS_STRING =
      """
      {"type": "record", "name": "Thing", "namespace": "dev.lodestone.test",
       "fields": [{"name": "id", "type": "string"},
                  {"name": "count", "type": "string", "default": "none"}]}
      """;

  /** An unrelated record. */
  public static final String OTHER =
      """
      {"type": "record", "name": "Other", "namespace": "dev.lodestone.test",
       "fields": [{"name": "value", "type": "double"}]}
      """;
}
