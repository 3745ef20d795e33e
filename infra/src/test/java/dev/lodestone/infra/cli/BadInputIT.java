package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.lodestone.infra.run.ModelSize;
import dev.lodestone.infra.run.Pipeline;
import dev.lodestone.infra.run.PipelineConfig;
import dev.lodestone.infra.run.SamplerSettings;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.judge.LabelMode;
import dev.lodestone.learner.LearnerConfig;
import dev.lodestone.learner.LearnerHyperparameters;
import dev.lodestone.policy.warmup.WarmupListener;
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
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import java.nio.file.Path;
import java.time.Duration;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input into every input topic of a running pipeline (sampler, judge, label join, learner in
 * one process): {@value #PER_KIND} records of each kind of damage. Every one must reach {@code
 * dead-letters} with its reason, from each component that reads it, no component may fail, and the
 * learner must go on training on the good groups between them.
 */
@Tag("integration")
class BadInputIT {
  private static final int PER_KIND = 40;
  private static final String MODEL = "it-bad-input";

  @TempDir Path dir;

  @Test
  void shouldDeadLetterEveryBadRecordOfEveryInputTopicAndKeepLearning() throws Exception {
    try (LocalStack stack = new LocalStack(LocalStackConfig.ephemeral())) {
      stack.start(LocalStack.DEFAULT_START_TIMEOUT);
      ClusterConfig cluster = ClusterConfig.of(stack.bootstrapServers(), stack.registryUrl());
      TaskSetup task = TaskSetup.of("perturbed-rps");
      byte[] weights =
          task.warmup(
                  ModelSize.TINY.config(),
                  dir.resolve("warm"),
                  0,
                  Device.cpu(),
                  WarmupListener.NONE)
              .weights();
      PipelineConfig config =
          new PipelineConfig(
              cluster,
              task,
              MODEL,
              "bad",
              weights,
              LearnerConfig.builder(cluster, MODEL)
                  .hyperparameters(
                      LearnerHyperparameters.builder().batchGroups(4).publishEvery(2).build())
                  .build(),
              1,
              1,
              LabelMode.EXACT,
              null,
              new SamplerSettings(2, 2, 4, 10),
              "cpu",
              0,
              Duration.ofSeconds(3),
              Duration.ofSeconds(5),
              dir.resolve("state"));
      TopicReader reader = new TopicReader(cluster);
      try (Pipeline pipeline = new Pipeline(config)) {
        pipeline.start(Duration.ofSeconds(120));
        TopicReader.await(
            "20 labelled groups", Duration.ofSeconds(120), () -> pipeline.learner().step() >= 5);
        LabeledGroup good = reader.all(Topics.LABELED).get(0).value();
        SampleGroup sample = good.getGroup();
        inject(cluster, good);
        long stepAtInjection = pipeline.learner().step();

        Map<String, Long> expected = new TreeMap<>();
        for (String component : List.of("judge", "label-join")) {
          expected.put(component + " samples UNDECODABLE", 3L * PER_KIND);
          expected.put(component + " samples INVALID_RECORD", 1L * PER_KIND);
          expected.put(component + " samples OVERSIZE", 1L * PER_KIND);
        }
        expected.put("label-join samples DUPLICATE_GROUP", 1L * PER_KIND);
        expected.put("label-join labels UNDECODABLE", 3L * PER_KIND);
        expected.put("label-join labels INVALID_PROBABILITY", 2L * PER_KIND);
        expected.put("label-join labels INVALID_RECORD", 1L * PER_KIND);
        expected.put("label-join labels UNKNOWN_GROUP", 1L * PER_KIND);
        expected.put("learner labeled UNDECODABLE", 1L * PER_KIND);
        expected.put("learner labeled INVALID_PROBABILITY", 1L * PER_KIND);
        expected.put("learner labeled INVALID_RECORD", 1L * PER_KIND);
        long total = expected.values().stream().mapToLong(Long::longValue).sum();
        TopicReader.await(
            total + " dead letters",
            Duration.ofSeconds(120),
            () -> {
              assertThat(pipeline.failure()).isEmpty();
              return reader.raw(Topics.DEAD_LETTERS.name()).size() >= total;
            });
        Map<String, Long> got =
            reader.all(Topics.DEAD_LETTERS).stream()
                .map(TopicReader.Read::value)
                .collect(
                    Collectors.groupingBy(
                        (DeadLetter d) ->
                            d.getComponent() + " " + d.getSourceTopic() + " " + d.getErrorType(),
                        TreeMap::new,
                        Collectors.counting()));
        assertThat(got).isEqualTo(expected);
        // The good groups between the bad ones are still trained on.
        TopicReader.await(
            "steps after the bad input",
            Duration.ofSeconds(120),
            () -> pipeline.learner().step() >= stepAtInjection + 20);
        assertThat(pipeline.failure()).isEmpty();
        assertThat(sample.getResponses()).hasSize(2);
      }
    }
  }

  /** PER_KIND records of every kind of damage into samples, labels and labeled. */
  private static void inject(ClusterConfig cluster, LabeledGroup good) throws Exception {
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
    Random random = new Random(7);
    List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
    for (int k = 0; k < PER_KIND; k++) {
      // samples: garbage, an unknown schema id, a cut record, a text over the limit, one
      // response, and the re-send of a group already labelled
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
      // labels: garbage, an unknown schema id, a cut record, NaN, 1.7, a response the group
      // never had, and a group that never comes
      byte[] label = labels.encode(label(sample.getGroupId(), 0, 1, 0.5));
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
              labels.encode(label(sample.getGroupId(), 0, 5 + k, 0.5))));
      out.add(
          new ProducerRecord<>(
              Topics.LABELS.name(), "ghost-" + k, labels.encode(label("ghost-" + k, 0, 1, 0.5))));
      // labeled: garbage, a NaN preference, a token outside the vocabulary
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
    }
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            cluster.clientProperties("it-bad-input"),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (ProducerRecord<String, byte[]> record : out) {
        producer.send(record);
      }
    }
  }

  private static PreferenceLabel label(String groupId, int i, int j, double p) {
    return PreferenceLabel.newBuilder()
        .setGroupId(groupId)
        .setI(i)
        .setJ(j)
        .setProbability(p)
        .setJudgeId("it-bad-judge")
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
