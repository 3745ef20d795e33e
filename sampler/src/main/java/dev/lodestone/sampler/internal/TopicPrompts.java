package dev.lodestone.sampler.internal;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.Prompt;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.DeadLetterReason;
import dev.lodestone.schemas.serde.DeadLetters;
import dev.lodestone.schemas.serde.RecordDecodingException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Prompts from the {@code prompts} topic, read with a consumer group (see {@link
 * dev.lodestone.sampler.PromptSource.Topic}). Records are decoded and checked when they are handed
 * out, in partition order, so the committed position never passes a prompt whose group is not
 * published. Positions are committed by {@link #published()}, and for revoked partitions before
 * they are given up; buffered records of revoked partitions are dropped (their new owner reads
 * them).
 */
public final class TopicPrompts implements PromptFeed {
  private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
  private final AvroDeserializer<Prompt> values;
  private final String task;
  private final Consumer<DeadLetter> deadLetters;
  private final String component;
  private final Clock clock;
  private final Deque<ConsumerRecord<String, byte[]>> buffer = new ArrayDeque<>();
  private final Map<TopicPartition, OffsetAndMetadata> processed = new HashMap<>();
  private long skipped;
  private long rejected;

  /**
   * @param consumer a consumer with a group id, auto-commit off, string keys and byte values; this
   *     feed subscribes it to {@code prompts}
   * @param values the prompt deserializer
   * @param task the sampler's task; prompts of other tasks are skipped
   * @param deadLetters where rejected prompts go
   * @param component the component named in dead letters
   * @param clock the time of dead letters
   */
  public TopicPrompts(
      org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer,
      AvroDeserializer<Prompt> values,
      String task,
      Consumer<DeadLetter> deadLetters,
      String component,
      Clock clock) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.values = Objects.requireNonNull(values, "values");
    this.task = Objects.requireNonNull(task, "task");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.component = Objects.requireNonNull(component, "component");
    this.clock = Objects.requireNonNull(clock, "clock");
    consumer.subscribe(
        List.of(Topics.PROMPTS.name()),
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commit(partitions);
            buffer.removeIf(r -> partitions.contains(topicPartition(r)));
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

          @Override
          public void onPartitionsLost(Collection<TopicPartition> partitions) {
            buffer.removeIf(r -> partitions.contains(topicPartition(r)));
            processed.keySet().removeAll(partitions);
          }
        });
  }

  private static TopicPartition topicPartition(ConsumerRecord<?, ?> r) {
    return new TopicPartition(r.topic(), r.partition());
  }

  @Override
  public List<PromptItem> next(int max, Duration timeout, PromptTokenizer tokenizer) {
    if (buffer.isEmpty()) {
      consumer.poll(timeout).forEach(buffer::add);
    }
    List<PromptItem> out = new ArrayList<>(max);
    while (out.size() < max && !buffer.isEmpty()) {
      ConsumerRecord<String, byte[]> record = buffer.poll();
      processed.put(topicPartition(record), new OffsetAndMetadata(record.offset() + 1));
      Prompt prompt;
      try {
        prompt = values.decode(record);
      } catch (RecordDecodingException e) {
        reject(DeadLetters.undecodable(record, e, component, clock.instant()));
        continue;
      }
      if (!prompt.getTask().equals(task)) {
        skipped++;
        continue;
      }
      try {
        int[] tokens = tokenizer.tokens(prompt.getText());
        out.add(new PromptItem(prompt.getPromptId(), prompt.getTask(), prompt.getText(), tokens));
      } catch (PromptTokenizer.Rejected e) {
        reject(
            DeadLetters.of(
                record,
                e.tooLong() ? DeadLetterReason.OVERSIZE : DeadLetterReason.INVALID_RECORD,
                "prompt " + prompt.getPromptId() + " cannot be sampled: " + e.getMessage(),
                component,
                clock.instant()));
      }
    }
    return out;
  }

  private void reject(DeadLetter letter) {
    rejected++;
    deadLetters.accept(letter);
  }

  @Override
  public void published() {
    commit(Set.copyOf(processed.keySet()));
  }

  private void commit(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata o = processed.remove(tp);
      if (o != null) {
        offsets.put(tp, o);
      }
    }
    if (!offsets.isEmpty()) {
      consumer.commitSync(offsets);
    }
  }

  @Override
  public void keepAlive() {
    // Poll with every partition paused: the group membership stays alive, no record is fetched
    // for the paused partitions (partitions assigned during this poll may deliver; keep them).
    Set<TopicPartition> assigned = consumer.assignment();
    consumer.pause(assigned);
    try {
      consumer.poll(Duration.ZERO).forEach(buffer::add);
    } finally {
      consumer.resume(consumer.paused());
    }
  }

  @Override
  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public long skipped() {
    return skipped;
  }

  @Override
  public long rejected() {
    return rejected;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
