package dev.lodestone.schemas.serde;

import dev.lodestone.schemas.avro.Prompt;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The "v2" schemas of test resources {@code evolution/}: the current schemas plus a field with a
 * default, as the next release of a record would add one.
 */
public final class EvolvedSchemas {
  private EvolvedSchemas() {}

  /** Prompt v2: adds {@code language: string = "en"}. */
  public static Schema promptV2() {
    return load("/evolution/Prompt-v2.avsc");
  }

  /** SampleGroup v2: adds {@code temperature: ["null", "double"] = null}. */
  public static Schema sampleGroupV2() {
    return load("/evolution/SampleGroup-v2.avsc");
  }

  /** A Prompt v2 generic record with the fields of a compiled Prompt and a language. */
  public static GenericRecord promptV2Record(Schema v2, Prompt prompt, String language) {
    GenericRecord record = new GenericData.Record(v2);
    record.put("promptId", prompt.getPromptId());
    record.put("task", prompt.getTask());
    record.put("text", prompt.getText());
    record.put("time", prompt.getTime().toEpochMilli());
    record.put("language", language);
    return record;
  }

  private static Schema load(String resource) {
    try (InputStream in = EvolvedSchemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + resource + " is missing");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
