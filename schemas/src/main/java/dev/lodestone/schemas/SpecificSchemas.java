package dev.lodestone.schemas;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/** Schema lookup for generated Avro classes. */
final class SpecificSchemas {
  private SpecificSchemas() {}

  static Schema schemaOf(Class<? extends SpecificRecord> type) {
    return SpecificData.get().getSchema(type);
  }
}
