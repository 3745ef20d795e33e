package dev.lodestone.stack.confluent;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.avro.shaded.org.apache.avro.Schema;
import org.apache.flink.avro.shaded.org.apache.avro.generic.GenericData;

/**
 * Converts our records into generic records of the Avro copy shaded into Flink's Confluent jar
 * (Avro 1.11.4, relocated): an independent Avro implementation for the Confluent side of the
 * compatibility tests.
 */
final class ShadedAvro {
  private ShadedAvro() {}

  /** Our schema, parsed by the shaded Avro. */
  static Schema schemaOf(SpecificRecord record) {
    return new Schema.Parser().parse(record.getSchema().toString());
  }

  /** The record as a shaded generic record of the same schema. */
  static GenericData.Record toShaded(SpecificRecord record) {
    return (GenericData.Record) convert(record, schemaOf(record));
  }

  private static Object convert(Object value, Schema schema) {
    if (value == null) {
      return null;
    }
    switch (schema.getType()) {
      case RECORD:
        SpecificRecord specific = (SpecificRecord) value;
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
          Object fieldValue = specific.get(specific.getSchema().getField(field.name()).pos());
          record.put(field.name(), convert(fieldValue, field.schema()));
        }
        return record;
      case UNION:
        for (Schema branch : schema.getTypes()) {
          if (branch.getType() == Schema.Type.NULL) {
            continue;
          }
          return convert(value, branch);
        }
        throw new IllegalArgumentException("no non-null branch in " + schema);
      case ARRAY:
        List<Object> list = new ArrayList<>();
        for (Object item : (List<?>) value) {
          list.add(convert(item, schema.getElementType()));
        }
        return list;
      case MAP:
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
          map.put(entry.getKey().toString(), convert(entry.getValue(), schema.getValueType()));
        }
        return map;
      case ENUM:
        return new GenericData.EnumSymbol(schema, value.toString());
      case BYTES:
        return ((ByteBuffer) value).duplicate();
      case LONG:
        return value instanceof Instant instant ? instant.toEpochMilli() : value;
      case STRING:
        return value.toString();
      default:
        return value;
    }
  }
}
