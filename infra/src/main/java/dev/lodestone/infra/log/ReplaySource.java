package dev.lodestone.infra.log;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What {@code lodestone replay --from} names: a range of a topic of labelled groups ({@code
 * labeled[:RANGE]} or {@code replay[:RANGE]}), or a file exported by {@code lodestone export
 * --format avro}. A RANGE is {@code FROM..TO}, each side an offset or an ISO-8601 instant (the
 * first record at or after it), either side left out for the topic's beginning or its end now;
 * {@code TO} is exclusive.
 *
 * @param topic the topic, empty for a file
 * @param from the range's start (offset or time), empty: the beginning
 * @param to the range's end (offset or time), empty: the end when resolved
 * @param file the file, empty for a topic
 */
public record ReplaySource(
    Optional<TopicSpec<LabeledGroup>> topic,
    Optional<Bound> from,
    Optional<Bound> to,
    Optional<Path> file) {

  /** One side of a range: an offset or a time. */
  public sealed interface Bound {}

  /** An offset. */
  public record AtOffset(long offset) implements Bound {}

  /** The first record at or after a time. */
  public record AtTime(Instant time) implements Bound {}

  /** A resolved range of a topic's one partition: {@code [from, to)}. */
  public record Resolved(TopicSpec<LabeledGroup> topic, long from, long to) {
    @Override
    public String toString() {
      return topic.name() + ":" + from + ".." + to;
    }
  }

  /**
   * Parses {@code --from}.
   *
   * @throws IllegalArgumentException with a message for the user
   */
  public static ReplaySource parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    for (TopicSpec<LabeledGroup> t : List.of(Topics.LABELED, Topics.REPLAY)) {
      if (spec.equals(t.name())) {
        return new ReplaySource(
            Optional.of(t), Optional.empty(), Optional.empty(), Optional.empty());
      }
      if (spec.startsWith(t.name() + ":")) {
        String range = spec.substring(t.name().length() + 1);
        int dots = range.indexOf("..");
        if (dots < 0) {
          throw new IllegalArgumentException(
              "a range is FROM..TO (offsets or ISO-8601 times, either side may be left out), got '"
                  + range
                  + "'");
        }
        Optional<Bound> from = bound(range.substring(0, dots));
        Optional<Bound> to = bound(range.substring(dots + 2));
        if (from.orElse(null) instanceof AtOffset a
            && to.orElse(null) instanceof AtOffset b
            && b.offset() < a.offset()) {
          throw new IllegalArgumentException(
              "the range ends before it starts: " + a.offset() + ".." + b.offset());
        }
        return new ReplaySource(Optional.of(t), from, to, Optional.empty());
      }
    }
    if (spec.isBlank()) {
      throw new IllegalArgumentException("--from is empty");
    }
    return new ReplaySource(
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(Path.of(spec)));
  }

  private static Optional<Bound> bound(String s) {
    if (s.isEmpty()) {
      return Optional.empty();
    }
    if (s.chars().allMatch(Character::isDigit)) {
      try {
        return Optional.of(new AtOffset(Long.parseLong(s)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("offset out of range: " + s);
      }
    }
    try {
      return Optional.of(new AtTime(Instant.parse(s)));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + s + "' is neither an offset nor an ISO-8601 instant (e.g. 2026-12-07T06:00:00Z)");
    }
  }

  /**
   * Resolves a topic range to offsets, reading the topic's beginning and end now.
   *
   * @throws IllegalArgumentException when the range is empty or lies beyond the topic's end
   */
  public Resolved resolve(ClusterConfig cluster, Duration timeout) {
    TopicSpec<LabeledGroup> t =
        topic.orElseThrow(() -> new IllegalStateException("a file is not resolved"));
    TopicPartition tp = new TopicPartition(t.name(), 0);
    Properties p = cluster.clientProperties("lodestone-replay-range");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      long begin = c.beginningOffsets(List.of(tp), timeout).get(tp);
      long end = c.endOffsets(List.of(tp), timeout).get(tp);
      long a = from.map(b -> offset(c, tp, b, end, timeout)).orElse(begin);
      long z = to.map(b -> offset(c, tp, b, end, timeout)).orElse(end);
      if (a < begin) {
        throw new IllegalArgumentException(
            t.name()
                + " begins at offset "
                + begin
                + " (older records were deleted); the range starts at "
                + a);
      }
      if (z > end) {
        throw new IllegalArgumentException(
            "the range ends at offset " + z + ", beyond the end of " + t.name() + " (" + end + ")");
      }
      if (z <= a) {
        throw new IllegalArgumentException(
            "the range " + t.name() + ":" + a + ".." + z + " holds no records");
      }
      return new Resolved(t, a, z);
    }
  }

  private static long offset(
      KafkaConsumer<?, ?> c, TopicPartition tp, Bound b, long end, Duration timeout) {
    if (b instanceof AtOffset o) {
      return o.offset();
    }
    Instant time = ((AtTime) b).time();
    Map<TopicPartition, OffsetAndTimestamp> found =
        c.offsetsForTimes(Map.of(tp, time.toEpochMilli()), timeout);
    OffsetAndTimestamp at = found.get(tp);
    return at == null ? end : at.offset();
  }
}
