package dev.lodestone.judge.llm;

import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import java.util.List;
import java.util.Locale;

/**
 * What one chat completion said about an ordered pair: P(response A is better).
 *
 * <p>Where the answer carries log-probabilities of its first token, the probability is the
 * normalised mass of the verdict tokens among the top alternatives, P(A) = e^{lp(A)} / (e^{lp(A)} +
 * e^{lp(B)}), as AlpacaEval's weighted judges read it (an absent letter has mass 0). Otherwise it
 * is the verdict itself: 1 for {@code A}, 0 for {@code B}, 1/2 for a tie. Anything else is {@link
 * LlmCallException.Kind#MALFORMED}.
 *
 * @param probabilityA P(response A is better), in [0, 1]
 * @param fromLogprobs whether it came from log-probabilities
 * @param tokens the tokens the call used (prompt and completion), 0 when the server did not say
 */
public record Verdict(double probabilityA, boolean fromLogprobs, long tokens) {

  /** Whether the verdict prefers A (above 1/2), B (below 1/2), or neither. */
  public int side() {
    return Double.compare(probabilityA, 0.5);
  }

  /**
   * Reads a completion.
   *
   * @throws LlmCallException of kind MALFORMED when no verdict can be read
   */
  public static Verdict of(ChatCompletion completion) {
    long tokens = completion.usage().map(u -> u.totalTokens()).orElse(0L);
    if (completion.choices().isEmpty()) {
      throw malformed("the completion has no choices");
    }
    ChatCompletion.Choice choice = completion.choices().get(0);
    List<ChatCompletionTokenLogprob> logprobs =
        choice.logprobs().flatMap(l -> l.content()).orElse(List.of());
    if (!logprobs.isEmpty()) {
      ChatCompletionTokenLogprob first = logprobs.get(0);
      double a = Double.NEGATIVE_INFINITY;
      double b = Double.NEGATIVE_INFINITY;
      int letter = letter(first.token());
      if (letter == 'A') {
        a = first.logprob();
      } else if (letter == 'B') {
        b = first.logprob();
      }
      for (ChatCompletionTokenLogprob.TopLogprob top : first.topLogprobs()) {
        int l = letter(top.token());
        if (l == 'A') {
          a = Math.max(a, top.logprob());
        } else if (l == 'B') {
          b = Math.max(b, top.logprob());
        }
      }
      if (a > Double.NEGATIVE_INFINITY || b > Double.NEGATIVE_INFINITY) {
        double m = Math.max(a, b);
        double ea = Math.exp(a - m);
        double eb = Math.exp(b - m);
        double p = ea / (ea + eb);
        if (Double.isFinite(p)) {
          return new Verdict(p, true, tokens);
        }
      }
    }
    String content = choice.message().content().orElse("");
    String answer = content.strip().toUpperCase(Locale.ROOT);
    if (answer.startsWith("TIE")) {
      return new Verdict(0.5, false, tokens);
    }
    int letter = letter(answer);
    if (letter == 'A') {
      return new Verdict(1.0, false, tokens);
    }
    if (letter == 'B') {
      return new Verdict(0.0, false, tokens);
    }
    throw malformed(
        "the answer is neither A nor B: '"
            + (content.length() > 80 ? content.substring(0, 80) + "..." : content)
            + "'");
  }

  /** 'A' or 'B' when the text is that letter, alone or followed by punctuation or space; else 0. */
  static int letter(String token) {
    String t = token.strip();
    while (!t.isEmpty() && "[(*\"'".indexOf(t.charAt(0)) >= 0) {
      t = t.substring(1);
    }
    if (t.isEmpty()) {
      return 0;
    }
    char c = Character.toUpperCase(t.charAt(0));
    if (c != 'A' && c != 'B') {
      return 0;
    }
    return t.length() == 1 || !Character.isLetterOrDigit(t.charAt(1)) ? c : 0;
  }

  private static LlmCallException malformed(String message) {
    return new LlmCallException(LlmCallException.Kind.MALFORMED, message, null);
  }
}
