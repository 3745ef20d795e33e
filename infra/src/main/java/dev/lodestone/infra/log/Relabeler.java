package dev.lodestone.infra.log;

import dev.lodestone.judge.PairJudge;
import dev.lodestone.judge.Pairs;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabelProvenance;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.RecordDecodingException;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Re-judges the recorded {@code samples} of a time range with another judge, without regenerating
 * them, and writes the newly labelled groups to {@link Topics#REPLAY} in one transaction (all or
 * nothing), where {@code lodestone replay --from replay:FROM..TO} trains on them. The groups keep
 * the order in which {@code labeled} recorded them (groups never labelled follow, in time order),
 * so that a replay on new labels sees the responses in the original learner's order.
 *
 * <p>The new labels are compared with the recorded ones on {@code labeled}, pair by pair: the
 * agreement rate over the pairs both decided (neither at exactly 1/2), and the mean absolute
 * difference of the probabilities.
 */
public final class Relabeler {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(200);

  /** Groups judged at once: enough to keep a remote judge's concurrency busy. */
  static final int WINDOW = 256;

  /** A judge of whole groups, synchronous (the game oracle) or not (an LLM). */
  public interface GroupJudge {
    /** The id written into the new labels' provenance. */
    String judgeId();

    /** The kind written into the new labels' provenance. */
    JudgeKind kind();

    /** Whether this judge labels the group (its task). */
    boolean accepts(SampleGroup group);

    /** Every pair's preference, in the order of {@link Pairs}. */
    CompletableFuture<double[]> judge(SampleGroup group);

    /** A {@link PairJudge}, called on the caller's thread. */
    static GroupJudge of(PairJudge judge) {
      return new GroupJudge() {
        @Override
        public String judgeId() {
          return judge.judgeId();
        }

        @Override
        public JudgeKind kind() {
          return judge.kind();
        }

        @Override
        public boolean accepts(SampleGroup group) {
          return judge.accepts(group);
        }

        @Override
        public CompletableFuture<double[]> judge(SampleGroup group) {
          return CompletableFuture.completedFuture(judge.preferences(group));
        }
      };
    }
  }

  /**
   * How the new labels compare with the recorded ones.
   *
   * @param pairs pairs with both a recorded and a new label
   * @param decided those of them that neither label puts at exactly 1/2
   * @param agreeing those decided pairs on whose preferred response both labels agree
   * @param meanAbsoluteDifference the mean of |old - new| over {@code pairs} (NaN: none)
   * @param groupsWithoutRecordedLabels relabelled groups that {@code labeled} does not hold
   */
  public record Agreement(
      long pairs,
      long decided,
      long agreeing,
      double meanAbsoluteDifference,
      long groupsWithoutRecordedLabels) {
    /** {@code agreeing / decided}; NaN when no pair was decided by both. */
    public double rate() {
      return decided == 0 ? Double.NaN : (double) agreeing / decided;
    }
  }

  /**
   * What a relabelling did.
   *
   * @param groups groups relabelled and written
   * @param skipped records of the range left out: groups the judge does not accept (another task),
   *     repeats of a group id, undecodable records
   * @param failed groups the judge failed on (not written; {@code firstFailure} says why)
   * @param firstFailure the first failure's message, or null
   * @param firstOffset the first written record's offset on {@code replay} (-1: none written)
   * @param endOffset the offset after the last written record (-1: none written)
   * @param agreement the comparison with the recorded labels
   */
  public record Result(
      long groups,
      long skipped,
      long failed,
      String firstFailure,
      long firstOffset,
      long endOffset,
      Agreement agreement) {}

  private final ClusterConfig cluster;

  public Relabeler(ClusterConfig cluster) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
  }

  /**
   * Relabels the samples recorded in {@code [from, to)}.
   *
   * @param to the end, exclusive; null: the end of {@code samples} now
   * @param progress told the number of groups judged so far, now and then
   * @throws IllegalArgumentException when the range holds no sample group
   */
  public Result relabel(Instant from, Instant to, GroupJudge judge, LongConsumer progress)
      throws InterruptedException {
    Objects.requireNonNull(from, "from");
    List<ConsumerRecord<String, byte[]>> raw = read(Topics.SAMPLES.name(), from, to);
    AvroDeserializer<SampleGroup> samples =
        TopicSerdes.valueDeserializer(Topics.SAMPLES, cluster.registryClient());
    List<SampleGroup> groups = new ArrayList<>();
    Map<SampleGroup, ConsumerRecord<String, byte[]>> origin = new HashMap<>();
    long skipped = 0;
    Set<String> seen = new HashSet<>();
    for (ConsumerRecord<String, byte[]> r : raw) {
      try {
        SampleGroup g = samples.decode(r);
        if (judge.accepts(g) && seen.add(g.getGroupId())) { // a re-sent group: once
          groups.add(g);
          origin.put(g, r);
        } else {
          skipped++;
        }
      } catch (RecordDecodingException e) {
        skipped++;
      }
    }
    if (groups.isEmpty()) {
      throw new IllegalArgumentException(
          "samples holds no group the judge accepts from "
              + from
              + (to == null ? "" : " to " + to)
              + " ("
              + raw.size()
              + " records read)");
    }
    // The recorded labels: labeled from the range's start on (a group is labelled after sampling).
    Map<String, Long> labeledAt = new HashMap<>();
    Map<String, LabeledGroup> recorded = new HashMap<>();
    AvroDeserializer<LabeledGroup> labeledValues =
        TopicSerdes.valueDeserializer(Topics.LABELED, cluster.registryClient());
    for (ConsumerRecord<String, byte[]> r : read(Topics.LABELED.name(), from, null)) {
      try {
        LabeledGroup l = labeledValues.decode(r);
        String id = l.getGroup().getGroupId();
        if (!recorded.containsKey(id)) {
          recorded.put(id, l);
          labeledAt.put(id, r.offset());
        }
      } catch (RecordDecodingException e) {
        // not a labelled group: nothing to compare with
      }
    }
    groups.sort(
        Comparator.<SampleGroup>comparingLong(
                g -> labeledAt.getOrDefault(g.getGroupId(), Long.MAX_VALUE))
            .thenComparingLong(g -> origin.get(g).timestamp())
            .thenComparingInt(g -> origin.get(g).partition())
            .thenComparingLong(g -> origin.get(g).offset()));

    // Judge, a window at a time, in order.
    List<LabeledGroup> out = new ArrayList<>(groups.size());
    long failed = 0;
    String firstFailure = null;
    long pairs = 0;
    long decided = 0;
    long agreeing = 0;
    double absSum = 0;
    long unrecorded = 0;
    for (int start = 0; start < groups.size(); start += WINDOW) {
      List<SampleGroup> window = groups.subList(start, Math.min(groups.size(), start + WINDOW));
      List<CompletableFuture<double[]>> futures = new ArrayList<>(window.size());
      for (SampleGroup g : window) {
        futures.add(judge.judge(g));
      }
      for (int k = 0; k < window.size(); k++) {
        SampleGroup g = window.get(k);
        double[] p;
        try {
          p = futures.get(k).get();
        } catch (ExecutionException | CompletionException e) {
          failed++;
          if (firstFailure == null) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            firstFailure = g.getGroupId() + ": " + cause.getMessage();
          }
          continue;
        }
        LabeledGroup old = recorded.get(g.getGroupId());
        if (old == null) {
          unrecorded++;
        } else {
          for (PairPreference o : old.getPreferences()) {
            int n = g.getResponses().size();
            if (o.getI() < 0 || o.getJ() <= o.getI() || o.getJ() >= n) {
              continue;
            }
            double a = o.getProbability();
            double b = p[Pairs.index(o.getI(), o.getJ(), n)];
            pairs++;
            absSum += Math.abs(a - b);
            if (a != 0.5 && b != 0.5) {
              decided++;
              if ((a > 0.5) == (b > 0.5)) {
                agreeing++;
              }
            }
          }
        }
        out.add(labelled(g, p, judge));
      }
      progress.accept(Math.min(groups.size(), start + WINDOW));
    }
    Agreement agreement =
        new Agreement(
            pairs, decided, agreeing, pairs == 0 ? Double.NaN : absSum / pairs, unrecorded);
    if (out.isEmpty()) {
      return new Result(0, skipped, failed, firstFailure, -1, -1, agreement);
    }
    long[] range = write(out);
    return new Result(out.size(), skipped, failed, firstFailure, range[0], range[1], agreement);
  }

  /** The group with the new judge's labels: one label per pair, its own provenance. */
  static LabeledGroup labelled(SampleGroup g, double[] p, GroupJudge judge) {
    int n = g.getResponses().size();
    List<PairPreference> preferences = new ArrayList<>(p.length);
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double q = p[Pairs.index(i, j, n)];
        preferences.add(
            PairPreference.newBuilder()
                .setI(i)
                .setJ(j)
                .setProbability(q)
                .setLabelCount(1)
                .setLabels(
                    List.of(
                        LabelProvenance.newBuilder()
                            .setJudgeId(judge.judgeId())
                            .setJudgeKind(judge.kind())
                            .setProbability(q)
                            .build()))
                .build());
      }
    }
    return LabeledGroup.newBuilder()
        .setGroup(g)
        .setPreferences(preferences)
        .setJudgeIds(List.of(judge.judgeId()))
        .setAggregation("relabel")
        .setTime(Instant.now())
        .build();
  }

  /** Every record of a topic's partitions from a time to another (null: the end now). */
  private List<ConsumerRecord<String, byte[]>> read(String topic, Instant from, Instant to) {
    Properties p = cluster.clientProperties("lodestone-relabel-" + topic);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo info : c.partitionsFor(topic, TIMEOUT)) {
        parts.add(new TopicPartition(topic, info.partition()));
      }
      c.assign(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts, TIMEOUT);
      Map<TopicPartition, Long> start = at(c, parts, from, ends);
      Map<TopicPartition, Long> stop = to == null ? ends : at(c, parts, to, ends);
      for (TopicPartition tp : parts) {
        c.seek(tp, start.get(tp));
      }
      while (parts.stream().anyMatch(tp -> c.position(tp, TIMEOUT) < stop.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
          if (r.offset() < stop.get(new TopicPartition(r.topic(), r.partition()))) {
            records.add(r);
          }
        }
      }
    }
    return records;
  }

  private static Map<TopicPartition, Long> at(
      KafkaConsumer<?, ?> c,
      List<TopicPartition> parts,
      Instant time,
      Map<TopicPartition, Long> ends) {
    Map<TopicPartition, Long> query = new HashMap<>();
    parts.forEach(tp -> query.put(tp, time.toEpochMilli()));
    Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(query, TIMEOUT);
    Map<TopicPartition, Long> out = new HashMap<>();
    for (TopicPartition tp : parts) {
      OffsetAndTimestamp o = found.get(tp);
      out.put(tp, o == null ? ends.get(tp) : o.offset());
    }
    return out;
  }

  /** Writes the groups to {@code replay} in one transaction; the offsets they went to. */
  private long[] write(List<LabeledGroup> groups) throws InterruptedException {
    Properties p = cluster.clientProperties("lodestone-relabel");
    String id = "lodestone-relabel-" + UUID.randomUUID();
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Duration.ofMinutes(15).toMillis());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    AvroSerializer<LabeledGroup> values =
        TopicSerdes.valueSerializer(
            Topics.REPLAY, cluster.registryClient(), SchemaRegistration.AUTO_REGISTER);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      try {
        Future<RecordMetadata> first = null;
        Future<RecordMetadata> last = null;
        for (LabeledGroup g : groups) {
          last =
              producer.send(
                  new ProducerRecord<>(
                      Topics.REPLAY.name(), 0, g.getGroup().getGroupId(), values.encode(g)));
          first = first == null ? last : first;
        }
        producer.flush();
        long[] range = {first.get().offset(), last.get().offset() + 1};
        producer.commitTransaction();
        return range;
      } catch (RuntimeException | ExecutionException | InterruptedException e) {
        producer.abortTransaction();
        if (e instanceof InterruptedException ie) {
          throw ie;
        }
        throw new IllegalStateException("writing the relabelled groups failed: " + e, e);
      }
    }
  }
}
