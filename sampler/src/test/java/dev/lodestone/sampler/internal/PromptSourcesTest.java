package dev.lodestone.sampler.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.Prompt;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PromptSourcesTest {
  // Context 32: a prompt of n bytes has n + 2 tokens and needs n + 2 + 8 - 1 positions.
  private static final ModelConfig TINY =
      new ModelConfig(ByteTokenizer.VOCAB_SIZE, 16, 2, 1, 32, 32, true, 1e-5);
  private static final PromptTokenizer TOKENIZER = new PromptTokenizer(TINY, 8);

  @Test
  void fixedPromptsShouldGoRoundRobinWithStableIds() {
    FixedPrompts prompts = new FixedPrompts(List.of("a", "bb", "ccc"), "t");
    List<PromptItem> first = prompts.next(4, Duration.ZERO, TOKENIZER);
    List<PromptItem> second = prompts.next(3, Duration.ZERO, TOKENIZER);
    assertThat(first)
        .extracting(PromptItem::promptId)
        .containsExactly("prompt-0", "prompt-1", "prompt-2", "prompt-0");
    assertThat(second).extracting(PromptItem::text).containsExactly("bb", "ccc", "a");
    assertThat(first.get(1).tokens())
        .containsExactly(ByteTokenizer.BOS, 'b', 'b', ByteTokenizer.SEP);
    assertThat(first).allSatisfy(p -> assertThat(p.task()).isEqualTo("t"));
  }

  @Test
  void aFixedPromptTheModelCannotTakeIsAConfigurationError() {
    String tooLong = "x".repeat(24); // 26 tokens + 8 - 1 = 33 > 32
    FixedPrompts prompts = new FixedPrompts(List.of("ok", tooLong), "t");
    assertThatThrownBy(() -> prompts.next(2, Duration.ZERO, TOKENIZER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prompts[1] cannot be sampled")
        .hasMessageContaining("needs 33 positions but the model's contextLength is 32");
    // One byte shorter fits exactly.
    assertThat(TOKENIZER.tokens("x".repeat(23))).hasSize(25);
  }

  @Test
  void topicPromptsShouldSkipOtherTasksDeadLetterBadOnesAndCommitOnlyAfterPublishing() {
    InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    AvroSerializer<Prompt> serializer =
        TopicSerdes.valueSerializer(Topics.PROMPTS, registry, SchemaRegistration.AUTO_REGISTER);
    MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    List<DeadLetter> letters = new ArrayList<>();
    TopicPrompts prompts =
        new TopicPrompts(
            consumer,
            TopicSerdes.valueDeserializer(Topics.PROMPTS, registry),
            "rps",
            letters::add,
            "sampler",
            Clock.systemUTC());
    TopicPartition tp = new TopicPartition(Topics.PROMPTS.name(), 0);
    consumer.rebalance(List.of(tp));
    consumer.updateBeginningOffsets(Map.of(tp, 0L));
    consumer.seekToBeginning(List.of(tp));
    byte[][] values = {
      serializer.encode(prompt("p0", "rps", "Choose.")),
      new byte[] {9, 9, 9}, // undecodable
      serializer.encode(prompt("p2", "other-task", "Choose.")),
      serializer.encode(prompt("p3", "rps", "y".repeat(40))), // too long for the context
      serializer.encode(prompt("p4", "rps", "Again.")),
      serializer.encode(prompt("p5", "rps", "Third.")),
    };
    for (int i = 0; i < values.length; i++) {
      consumer.addRecord(new ConsumerRecord<>(tp.topic(), 0, i, "p" + i, values[i]));
    }

    List<PromptItem> batch = prompts.next(2, Duration.ZERO, TOKENIZER);
    assertThat(batch).extracting(PromptItem::promptId).containsExactly("p0", "p4");
    assertThat(prompts.skipped()).isEqualTo(1);
    assertThat(prompts.rejected()).isEqualTo(2);
    assertThat(letters)
        .extracting(DeadLetter::getErrorType)
        .containsExactly("UNDECODABLE", "OVERSIZE");
    assertThat(letters).extracting(DeadLetter::getOffset).containsExactly(1L, 3L);
    // Nothing is committed before the groups are published.
    assertThat(consumer.committed(java.util.Set.of(tp))).isEmpty();
    prompts.published();
    assertThat(consumer.committed(java.util.Set.of(tp)))
        .containsEntry(tp, new OffsetAndMetadata(5));

    // p5 is still buffered and comes next, without another poll.
    assertThat(prompts.next(5, Duration.ZERO, TOKENIZER))
        .extracting(PromptItem::promptId)
        .containsExactly("p5");
    prompts.published();
    assertThat(consumer.committed(java.util.Set.of(tp)))
        .containsEntry(tp, new OffsetAndMetadata(6));
    prompts.close();
  }

  private static Prompt prompt(String id, String task, String text) {
    return Prompt.newBuilder()
        .setPromptId(id)
        .setTask(task)
        .setText(text)
        .setTime(Instant.EPOCH)
        .build();
  }
}
