package dev.lodestone.infra.chaos;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Malformed records for every input topic of a running pipeline, made from one good labelled group
 * of it, and the dead letters they must end in. Per kind and topic:
 *
 * <ul>
 *   <li>{@code samples}: random bytes, an unknown schema id, a record cut in half, a prompt over
 *       the size limit, a group of one response, and the re-send of a group already labelled;
 *   <li>{@code labels}: random bytes, an unknown schema id, a cut record, NaN, 1.7, a response the
 *       group never had, and a group that never comes;
 *   <li>{@code labeled}: random bytes, a NaN preference, a token outside the vocabulary.
 * </ul>
 *
 * The judge and the label join both read {@code samples}, so each bad sample is dead-lettered by
 * both; the repeat only by the join, which remembers the groups it emitted.
 */
public final class BadRecords {
  private BadRecords() {}

  /**
   * The dead letters {@code perKind} records of each kind must give, by {@code "component
   * sourceTopic errorType"}.
   */
  public static Map<String, Long> expected(long perKind) {
    Map<String, Long> expected = new TreeMap<>();
    for (String component : List.of("judge", "label-join")) {
      expected.put(component + " samples UNDECODABLE", 3 * perKind);
      expected.put(component + " samples INVALID_RECORD", perKind);
      expected.put(component + " samples OVERSIZE", perKind);
    }
    expected.put("label-join samples DUPLICATE_GROUP", perKind);
    expected.put("label-join labels UNDECODABLE", 3 * perKind);
    expected.put("label-join labels INVALID_PROBABILITY", 2 * perKind);
    expected.put("label-join labels INVALID_RECORD", perKind);
    expected.put("label-join labels UNKNOWN_GROUP", perKind);
    expected.put("learner labeled UNDECODABLE", perKind);
    expected.put("learner labeled INVALID_PROBABILITY", perKind);
    expected.put("learner labeled INVALID_RECORD", perKind);
    return expected;
  }

  /** The dead letters on the topic, counted as {@link #expected} counts them. */
  public static Map<String, Long> deadLetters(TopicReader reader) {
    return reader.all(Topics.DEAD_LETTERS).stream()
        .map(TopicReader.Read::value)
        .collect(
            Collectors.groupingBy(
                (DeadLetter d) ->
                    d.getComponent() + " " + d.getSourceTopic() + " " + d.getErrorType(),
                TreeMap::new,
                Collectors.counting()));
  }

  /** Sends {@code perKind} records of every kind, made from {@code good}; returns how many. */
  public static long inject(ClusterConfig cluster, LabeledGroup good, long perKind) {
    var samples =
        TopicSerdes.valueSerializer(
            Topics.SAMPLES, cluster.registryClient(), SchemaRegistration.AUTO_REGISTER);
    var labels =
        TopicSerdes.valueSerializer(
            Topics.LABELS, cluster.registryClient(), SchemaRegistration.AUTO_REGISTER);
    var labeled =
        TopicSerdes.valueSerializer(
            Topics.LABELED, cluster.registryClient(), SchemaRegistration.AUTO_REGISTER);
    SampleGroup sample = good.getGroup();
    byte[] goodSample = samples.encode(sample);
    byte[] label = labels.encode(label(sample.getGroupId(), 0, 1, 0.5));
    Random random = new Random(7);
    long sent = 0;
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            cluster.clientProperties("lodestone-bad-records"),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (long k = 0; k < perKind; k++) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        String id = "bad-" + k;
        out.add(new ProducerRecord<>(Topics.SAMPLES.name(), id, garbage(random)));
        out.add(new ProducerRecord<>(Topics.SAMPLES.name(), id, unknownSchema(random)));
        out.add(
            new ProducerRecord<>(
                Topics.SAMPLES.name(), id, Arrays.copyOf(goodSample, goodSample.length / 2)));
        out.add(
            new ProducerRecord<>(
                Topics.SAMPLES.name(),
                "long-" + k,
                samples.encode(
                    SampleGroup.newBuilder(sample)
                        .setGroupId("long-" + k)
                        .setPrompt("x".repeat(20_000))
                        .build())));
        out.add(
            new ProducerRecord<>(
                Topics.SAMPLES.name(),
                "one-" + k,
                samples.encode(
                    SampleGroup.newBuilder(sample)
                        .setGroupId("one-" + k)
                        .setResponses(List.of(sample.getResponses().get(0)))
                        .build())));
        out.add(new ProducerRecord<>(Topics.SAMPLES.name(), sample.getGroupId(), goodSample));
        out.add(new ProducerRecord<>(Topics.LABELS.name(), id, garbage(random)));
        out.add(new ProducerRecord<>(Topics.LABELS.name(), id, unknownSchema(random)));
        out.add(
            new ProducerRecord<>(
                Topics.LABELS.name(), sample.getGroupId(), Arrays.copyOf(label, label.length / 2)));
        out.add(
            new ProducerRecord<>(
                Topics.LABELS.name(),
                "nan-" + k,
                labels.encode(label("nan-" + k, 0, 1, Double.NaN))));
        out.add(
            new ProducerRecord<>(
                Topics.LABELS.name(), "big-" + k, labels.encode(label("big-" + k, 0, 1, 1.7))));
        out.add(
            new ProducerRecord<>(
                Topics.LABELS.name(),
                sample.getGroupId(),
                labels.encode(label(sample.getGroupId(), 0, (int) (5 + k % 1_000_000), 0.5))));
        out.add(
            new ProducerRecord<>(
                Topics.LABELS.name(), "ghost-" + k, labels.encode(label("ghost-" + k, 0, 1, 0.5))));
        out.add(new ProducerRecord<>(Topics.LABELED.name(), id, garbage(random)));
        out.add(
            new ProducerRecord<>(
                Topics.LABELED.name(),
                "nan-" + k,
                labeled.encode(
                    LabeledGroup.newBuilder(good)
                        .setPreferences(
                            List.of(
                                PairPreference.newBuilder(good.getPreferences().get(0))
                                    .setProbability(Double.NaN)
                                    .build()))
                        .build())));
        Response r = sample.getResponses().get(0);
        List<Integer> tokens = new ArrayList<>(r.getTokenIds());
        tokens.set(0, 1_000_000);
        out.add(
            new ProducerRecord<>(
                Topics.LABELED.name(),
                "vocab-" + k,
                labeled.encode(
                    LabeledGroup.newBuilder(good)
                        .setGroup(
                            SampleGroup.newBuilder(sample)
                                .setResponses(
                                    List.of(
                                        Response.newBuilder(r).setTokenIds(tokens).build(),
                                        sample.getResponses().get(1)))
                                .build())
                        .build())));
        for (ProducerRecord<String, byte[]> record : out) {
          producer.send(record);
          sent++;
        }
      }
      producer.flush();
    }
    return sent;
  }

  private static PreferenceLabel label(String groupId, int i, int j, double p) {
    return PreferenceLabel.newBuilder()
        .setGroupId(groupId)
        .setI(i)
        .setJ(j)
        .setProbability(p)
        .setJudgeId("chaos-bad-judge")
        .setJudgeKind(JudgeKind.OTHER)
        .setTime(Instant.ofEpochMilli(1_800_000_000_000L))
        .build();
  }

  /** Bytes that are no record: a first byte other than the wire format's 0. */
  private static byte[] garbage(Random random) {
    byte[] b = new byte[1 + random.nextInt(64)];
    random.nextBytes(b);
    b[0] = (byte) (1 + random.nextInt(255));
    return b;
  }

  /** The wire format's magic byte and a schema id the registry never gave. */
  private static byte[] unknownSchema(Random random) {
    byte[] b = new byte[12];
    random.nextBytes(b);
    b[0] = 0;
    b[1] = 0x7f;
    b[2] = (byte) 0xff;
    b[3] = (byte) 0xff;
    b[4] = (byte) 0xf0;
    return b;
  }
}
