package dev.lodestone.judge.llm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pairwise prompt an LLM judge sends: a text with the placeholders {@code {prompt}}, {@code
 * {response_a}} and {@code {response_b}}, each of which must occur. The judge asks for one letter,
 * {@code A} or {@code B} (a {@code tie} is read as 1/2), so the template must ask for that too.
 *
 * <p>Substitution is one pass: a response that itself contains {@code {response_b}} is inserted
 * literally and never expanded. A response longer than {@link #MAX_RESPONSE_CHARS} is cut there and
 * marked, so that one runaway response cannot blow the judge's context.
 */
public final class PairwiseTemplate {
  /** The longest response text inserted whole, in characters. */
  public static final int MAX_RESPONSE_CHARS = 16_000;

  /** The placeholders every template must contain. */
  public static final List<String> PLACEHOLDERS =
      List.of("{prompt}", "{response_a}", "{response_b}");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(prompt|response_a|response_b)}");

  /** The default template: the prompt, the two responses between markers, one letter asked. */
  public static final PairwiseTemplate DEFAULT =
      new PairwiseTemplate(
          """
          You are judging two responses to the same prompt. Decide which response is better.

          [Prompt]
          {prompt}
          [End of Prompt]

          [Response A]
          {response_a}
          [End of Response A]

          [Response B]
          {response_b}
          [End of Response B]

          Answer with a single letter and nothing else: A if Response A is better, B if Response \
          B is better.""");

  private final String text;

  /**
   * A template.
   *
   * @throws IllegalArgumentException when a placeholder is missing
   */
  public PairwiseTemplate(String text) {
    this.text = Objects.requireNonNull(text, "text");
    for (String p : PLACEHOLDERS) {
      if (!text.contains(p)) {
        throw new IllegalArgumentException(
            "the judge template lacks the placeholder " + p + "; it needs all of " + PLACEHOLDERS);
      }
    }
  }

  /**
   * Reads a template file (UTF-8).
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when a placeholder is missing
   */
  public static PairwiseTemplate read(Path file) throws IOException {
    try {
      return new PairwiseTemplate(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** The template's text. */
  public String text() {
    return text;
  }

  /** The message for one ordered pair: response A first, response B second. */
  public String render(String prompt, String responseA, String responseB) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length() + responseA.length() + responseB.length());
    while (m.find()) {
      String value =
          switch (m.group(1)) {
            case "prompt" -> prompt;
            case "response_a" -> limit(responseA);
            default -> limit(responseB);
          };
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  static String limit(String response) {
    if (response.length() <= MAX_RESPONSE_CHARS) {
      return response;
    }
    return response.substring(0, MAX_RESPONSE_CHARS)
        + "\n[... "
        + (response.length() - MAX_RESPONSE_CHARS)
        + " more characters cut]";
  }
}
