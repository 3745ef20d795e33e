package dev.lodestone.sampler.internal;

import java.util.Objects;

/**
 * One prompt to answer with a group.
 *
 * @param promptId the prompt's id
 * @param task its task
 * @param text its text
 * @param tokens the token ids the model is conditioned on ({@code [BOS, bytes, SEP]})
 */
public record PromptItem(String promptId, String task, String text, int[] tokens) {
  /** Checks the references. */
  public PromptItem {
    Objects.requireNonNull(promptId, "promptId");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(tokens, "tokens");
  }
}
