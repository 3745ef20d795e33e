package dev.lodestone.sampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a sampler's prompts come from: a fixed list given by the caller (for a built-in game, its
 * one prompt), or the {@code prompts} topic.
 */
public sealed interface PromptSource {

  /**
   * A fixed list of prompt texts, used round-robin: group {@code k} of the sampler answers prompt
   * {@code k mod n}, with prompt id {@code prompt-<index>}.
   *
   * @param texts the prompts, at least one; none null (an empty text is a valid prompt)
   */
  record Fixed(List<String> texts) implements PromptSource {
    /** Validates and copies the list. */
    public Fixed {
      if (texts == null || texts.isEmpty()) {
        throw new IllegalArgumentException("prompts must hold at least one prompt text, got none");
      }
      List<String> copy = new ArrayList<>(texts.size());
      for (int i = 0; i < texts.size(); i++) {
        String t = texts.get(i);
        if (t == null) {
          throw new IllegalArgumentException("prompts[" + i + "] must not be null");
        }
        copy.add(t);
      }
      texts = List.copyOf(copy);
    }
  }

  /**
   * The {@code prompts} topic, read with a consumer group shared by the samplers of one model, so
   * that each prompt is answered by one group of one sampler. Prompts of another task than the
   * sampler's are skipped (and counted); undecodable prompts and prompts the model cannot take (a
   * byte outside its vocabulary, too long for its context) go to the dead letters. Offsets are
   * committed after the groups are acknowledged: a sampler that crashes in between answers those
   * prompts again (at least once).
   *
   * @param consumerGroup the consumer group, e.g. {@code lodestone-samplers-<modelId>}
   */
  record Topic(String consumerGroup) implements PromptSource {
    /** Validates the group name. */
    public Topic {
      if (consumerGroup == null || consumerGroup.isBlank()) {
        throw new IllegalArgumentException(
            "consumerGroup must be non-blank, got "
                + (consumerGroup == null ? "null" : "'" + consumerGroup + "'"));
      }
    }
  }

  /** A fixed list of prompts. */
  static PromptSource fixed(String... texts) {
    return new Fixed(Arrays.asList(texts));
  }

  /** A fixed list of prompts. */
  static PromptSource fixed(List<String> texts) {
    return new Fixed(texts);
  }

  /** The prompts topic, read with this consumer group. */
  static PromptSource topic(String consumerGroup) {
    return new Topic(consumerGroup);
  }
}
