package dev.lodestone.games;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The JSON game file (docs/design.md, "Games"):
 *
 * <pre>{@code
 * {"name": "perturbed-rps",
 *  "prompt": "Choose your move.",
 *  "strategies": ["rock", "paper", "scissors"],
 *  "preferences": [[0.5, 0.0, 1.0], [1.0, 0.5, 0.3333333333], [0.0, 0.6666666667, 0.5]],
 *  "initial": [0.7, 0.2, 0.1]}
 * }</pre>
 *
 * <p>{@code initial} is optional; every other field is required, and unknown fields are errors (a
 * misspelt {@code "inital"} must not be silently ignored). Reading fails with an {@link
 * InvalidGameException} whose one-line message names the file and what is wrong.
 */
public final class GameFile {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private GameFile() {}

  /** The file's fields, in the order docs/design.md gives them. */
  @JsonPropertyOrder({"name", "prompt", "strategies", "preferences", "initial"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Json(
      String name,
      String prompt,
      List<String> strategies,
      List<List<Double>> preferences,
      List<Double> initial) {}

  /**
   * Reads and validates a game file.
   *
   * @throws InvalidGameException if the file is missing or unreadable, is not well-formed JSON,
   *     lacks a field, or describes an invalid game
   */
  public static PreferenceGame read(Path path) {
    String text;
    try {
      text = Files.readString(path);
    } catch (NoSuchFileException e) {
      throw new InvalidGameException("game file not found: " + path, e);
    } catch (IOException | UncheckedIOException e) {
      throw new InvalidGameException("cannot read game file " + path + ": " + e.getMessage(), e);
    }
    return parse(text, path.toString());
  }

  /**
   * Parses and validates a game from JSON text.
   *
   * @param source where the text came from, for messages
   */
  public static PreferenceGame parse(String text, String source) {
    Json json;
    try {
      json = MAPPER.readValue(text, Json.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidGameException(
          source
              + ": unknown field '"
              + e.getPropertyName()
              + "' (expected name, prompt, strategies, preferences, initial)",
          e);
    } catch (MismatchedInputException e) {
      throw new InvalidGameException(
          source + ": " + path(e) + " must be " + expected(e.getTargetType()) + at(e.getLocation()),
          e);
    } catch (JsonProcessingException e) {
      throw new InvalidGameException(
          source + ": malformed game JSON" + at(e.getLocation()) + ": " + oneLine(e), e);
    }
    if (json == null) {
      throw new InvalidGameException(source + ": the file holds no game (JSON null)");
    }
    return toGame(json, source);
  }

  private static PreferenceGame toGame(Json json, String source) {
    String name = json.name();
    if (name == null) {
      throw new InvalidGameException(source + ": field 'name' is missing");
    }
    String where = source + ": game '" + name + "': ";
    if (json.strategies() == null) {
      throw new InvalidGameException(where + "field 'strategies' is missing");
    }
    if (json.preferences() == null) {
      throw new InvalidGameException(where + "field 'preferences' is missing");
    }
    if (json.prompt() == null) {
      throw new InvalidGameException(where + "field 'prompt' is missing");
    }
    List<List<Double>> rows = json.preferences();
    double[][] p = new double[rows.size()][];
    for (int i = 0; i < rows.size(); i++) {
      List<Double> row = rows.get(i);
      if (row == null) {
        throw new InvalidGameException(where + "preferences[" + i + "] is null, expected a row");
      }
      p[i] = new double[row.size()];
      for (int j = 0; j < row.size(); j++) {
        Double v = row.get(j);
        if (v == null) {
          throw new InvalidGameException(
              where + "preferences[" + i + "][" + j + "] is null, expected a probability");
        }
        p[i][j] = v;
      }
    }
    double[] initial = null;
    if (json.initial() != null) {
      initial = new double[json.initial().size()];
      for (int i = 0; i < initial.length; i++) {
        Double v = json.initial().get(i);
        if (v == null) {
          throw new InvalidGameException(
              where + "initial[" + i + "] is null, expected a probability");
        }
        initial[i] = v;
      }
    }
    try {
      return new PreferenceGame(name, json.prompt(), json.strategies(), p, initial);
    } catch (InvalidGameException e) {
      throw new InvalidGameException(source + ": " + e.getMessage(), e);
    }
  }

  /** The game as a JSON game file's text. */
  public static String toJson(PreferenceGame game) {
    double[][] p = game.preferences();
    List<List<Double>> rows = Arrays.stream(p).map(r -> Arrays.stream(r).boxed().toList()).toList();
    List<Double> initial = game.initial().map(v -> Arrays.stream(v).boxed().toList()).orElse(null);
    try {
      return MAPPER.writeValueAsString(
          new Json(game.name(), game.prompt(), game.strategies(), rows, initial));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize game " + game.name(), e);
    }
  }

  /** Writes the game as a JSON game file. */
  public static void write(PreferenceGame game, Path path) throws IOException {
    Files.writeString(path, toJson(game) + System.lineSeparator());
  }

  private static String path(MismatchedInputException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        b.append('[').append(ref.getIndex()).append(']');
      }
    }
    return b.length() == 0 ? "the game" : b.toString();
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return "of another type";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class) {
      return "a number";
    }
    if (type == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    return "a JSON object";
  }

  private static String at(JsonLocation loc) {
    if (loc == null || loc.getLineNr() < 0) {
      return "";
    }
    return " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
  }

  private static String oneLine(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    if (m == null) {
      m = e.getClass().getSimpleName();
    }
    return m.replaceAll("\\s+", " ").strip();
  }
}
