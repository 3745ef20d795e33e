package dev.lodestone.sampler.internal;

import java.time.Duration;
import java.util.List;

/** Hands prompts to the sampling loop. Used by the sampling thread only. */
public interface PromptFeed extends AutoCloseable {

  /**
   * Up to {@code max} prompts, waiting up to {@code timeout} when none is available; may return
   * fewer, or none.
   *
   * @param tokenizer checks and tokenizes each prompt for the current model
   */
  List<PromptItem> next(int max, Duration timeout, PromptTokenizer tokenizer);

  /** The groups of every prompt handed out so far are published: commit their positions. */
  void published();

  /** Keeps the source alive while the sampler is paused (no prompts are taken). */
  void keepAlive();

  /** Aborts a blocking call from another thread. */
  void wakeup();

  /** Prompts of another task, skipped. */
  long skipped();

  /** Prompts sent to the dead letters. */
  long rejected();

  @Override
  void close();
}
