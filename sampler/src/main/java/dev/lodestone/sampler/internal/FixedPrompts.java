package dev.lodestone.sampler.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A fixed list of prompts, round-robin: the k-th prompt handed out is {@code texts[k mod n]}, with
 * id {@code prompt-<index>}. A prompt the model cannot take is a configuration error: {@link
 * PromptTokenizer.Rejected} propagates and fails the sampler.
 */
public final class FixedPrompts implements PromptFeed {
  private final List<String> texts;
  private final String task;
  private long next;

  /** Prompts of a task. */
  public FixedPrompts(List<String> texts, String task) {
    this.texts = List.copyOf(texts);
    this.task = task;
  }

  @Override
  public List<PromptItem> next(int max, Duration timeout, PromptTokenizer tokenizer) {
    List<PromptItem> out = new ArrayList<>(max);
    for (int i = 0; i < max; i++) {
      int index = (int) (next % texts.size());
      String text = texts.get(index);
      int[] tokens;
      try {
        tokens = tokenizer.tokens(text);
      } catch (PromptTokenizer.Rejected e) {
        throw new IllegalArgumentException(
            "prompts[" + index + "] cannot be sampled by this model: " + e.getMessage(), e);
      }
      out.add(new PromptItem("prompt-" + index, task, text, tokens));
      next++;
    }
    return out;
  }

  @Override
  public void published() {}

  @Override
  public void keepAlive() {}

  @Override
  public void wakeup() {}

  @Override
  public long skipped() {
    return 0;
  }

  @Override
  public long rejected() {
    return 0;
  }

  @Override
  public void close() {}
}
