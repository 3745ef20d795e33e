package dev.lodestone.policy;

import java.util.Arrays;

/**
 * A prompt and a response as token ids, for teacher forcing.
 *
 * @param prompt the prompt ids as the model was conditioned on them ({@code [BOS, ..., SEP]})
 * @param response the response ids, usually ending with EOS; at least one token
 */
public record PromptResponse(int[] prompt, int[] response) {

  /** Checks that both parts are present and non-empty. */
  public PromptResponse {
    if (prompt == null || prompt.length == 0) {
      throw new IllegalArgumentException("prompt must have at least one token");
    }
    if (response == null || response.length == 0) {
      throw new IllegalArgumentException("response must have at least one token");
    }
  }

  /** Number of input positions teacher forcing needs: prompt plus response minus one. */
  public int inputLength() {
    return prompt.length + response.length - 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PromptResponse p
        && Arrays.equals(prompt, p.prompt)
        && Arrays.equals(response, p.response);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(prompt) + Arrays.hashCode(response);
  }

  @Override
  public String toString() {
    return "PromptResponse[prompt="
        + Arrays.toString(prompt)
        + ", response="
        + Arrays.toString(response)
        + "]";
  }
}
