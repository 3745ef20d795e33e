package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.games.Games;
import dev.lodestone.infra.chaos.TopicReader;
import dev.lodestone.infra.run.ModelSize;
import dev.lodestone.infra.run.TaskSetup;
import dev.lodestone.judge.GameOracle;
import dev.lodestone.judge.LabelMode;
import dev.lodestone.judge.PairJudge;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.PromptResponse;
import dev.lodestone.policy.warmup.WarmupListener;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabelProvenance;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.Prompt;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lodestone export} and {@code lodestone import} between two real local stacks: an Avro
 * export read by a plain Avro reader, imported with keys, partitions and order kept, not twice, and
 * bad files refused with nothing written; TRL's preference format read back with every chosen
 * response the one its judges preferred.
 */
@Tag("integration")
class ExportImportIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] MOVES = {"rock", "paper", "scissors"};
  private static LocalStack source;
  private static LocalStack target;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    source = new LocalStack(LocalStackConfig.ephemeral());
    source.start(LocalStack.DEFAULT_START_TIMEOUT);
    target = new LocalStack(LocalStackConfig.ephemeral());
    target.start(LocalStack.DEFAULT_START_TIMEOUT);
    ClusterConfig c = cluster(source);
    Properties p = c.clientProperties("export-it");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, SampleGroup> samples =
            new KafkaProducer<>(
                p,
                new StringSerializer(),
                TopicSerdes.valueSerde(Topics.SAMPLES, c.registryClient()).serializer());
        KafkaProducer<String, LabeledGroup> labeled =
            new KafkaProducer<>(
                p,
                new StringSerializer(),
                TopicSerdes.valueSerde(Topics.LABELED, c.registryClient()).serializer())) {
      for (int k = 0; k < 40; k++) {
        SampleGroup g = group("g-" + k, MOVES[k % 3], MOVES[(k / 3) % 3]);
        samples.send(new ProducerRecord<>(Topics.SAMPLES.name(), g.getGroupId(), g));
        labeled.send(new ProducerRecord<>(Topics.LABELED.name(), g.getGroupId(), labeled(g, k)));
      }
    }
  }

  @AfterAll
  static void stop() {
    for (LocalStack s : new LocalStack[] {source, target}) {
      if (s != null) {
        s.close();
      }
    }
  }

  private static ClusterConfig cluster(LocalStack s) {
    return ClusterConfig.of(s.bootstrapServers(), s.registryUrl());
  }

  private static String[] at(LocalStack s, String command, String... rest) {
    List<String> all = new ArrayList<>(List.of(command, "--bootstrap", s.bootstrapServers()));
    all.addAll(List.of("--registry", s.registryUrl()));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  static SampleGroup group(String id, String a, String b) {
    List<Response> responses = new ArrayList<>();
    for (String text : new String[] {a, b}) {
      responses.add(
          Response.newBuilder()
              .setText(text)
              .setTokenIds(List.of(1, 2, 3))
              .setLogProbs(List.of(-0.5f, -0.25f, -0.125f))
              .setFinished(true)
              .build());
    }
    return SampleGroup.newBuilder()
        .setGroupId(id)
        .setPromptId("p")
        .setTask("perturbed-rps")
        .setPrompt("Choose your move.")
        .setPromptTokenIds(List.of(7, 8))
        .setResponses(responses)
        .setPolicyVersion(4)
        .setMagnetVersion(1)
        .setSamplerId("sampler-it")
        .setTime(Instant.ofEpochMilli(1_800_000_000_000L))
        .build();
  }

  /** Two judges per pair; every fifth group is a tie. */
  static LabeledGroup labeled(SampleGroup g, int k) {
    double oracle = k % 5 == 0 ? 0.5 : (k % 2 == 0 ? 0.75 : 0.25);
    double llm = k % 5 == 0 ? 0.5 : (k % 2 == 0 ? 1.0 : 0.0);
    return LabeledGroup.newBuilder()
        .setGroup(g)
        .setPreferences(
            List.of(
                PairPreference.newBuilder()
                    .setI(0)
                    .setJ(1)
                    .setProbability((oracle + llm) / 2)
                    .setLabelCount(2)
                    .setLabels(
                        List.of(
                            prov("llm:m", JudgeKind.LLM, llm),
                            prov("oracle:perturbed-rps", JudgeKind.GAME_ORACLE, oracle)))
                    .build()))
        .setJudgeIds(List.of("llm:m", "oracle:perturbed-rps"))
        .setAggregation("mean")
        .setTime(Instant.ofEpochMilli(1_800_000_000_000L + k))
        .build();
  }

  private static LabelProvenance prov(String id, JudgeKind kind, double p) {
    return LabelProvenance.newBuilder().setJudgeId(id).setJudgeKind(kind).setProbability(p).build();
  }

  @Test
  void shouldExportToAvroAndImportIntoAFreshStackOnceWithKeysPartitionsAndOrder() throws Exception {
    Path file = dir.resolve("samples.avro");
    CliRun export =
        CliRun.of(at(source, "export", "--topic", "samples", "--out", file.toString(), "--json"));
    assertThat(export.exitCode()).as(export.err()).isZero();
    assertThat(JSON.readTree(export.out().strip()).get("records").asLong()).isEqualTo(40);
    assertThat(export.err()).contains("lodestone export: samples partition");

    // Any Avro reader reads it: no registry, no Lodestone class.
    List<GenericRecord> read = new ArrayList<>();
    try (DataFileReader<GenericRecord> in =
        new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
      in.forEach(read::add);
      assertThat(in.getMetaString("lodestone.topic")).isEqualTo("samples");
    }
    assertThat(read).hasSize(40);
    assertThat(read.get(0).getSchema().getField("value").schema().getFullName())
        .isEqualTo(SampleGroup.getClassSchema().getFullName());

    List<TopicReader.Read<SampleGroup>> before =
        new TopicReader(cluster(source)).all(Topics.SAMPLES);
    CliRun imported =
        CliRun.of(at(target, "import", file.toString(), "--topic", "samples", "--json"));
    assertThat(imported.exitCode()).as(imported.err()).isZero();
    assertThat(JSON.readTree(imported.out().strip()).get("records").asLong()).isEqualTo(40);
    List<TopicReader.Read<SampleGroup>> after =
        new TopicReader(cluster(target)).all(Topics.SAMPLES);
    assertThat(byPartition(after)).isEqualTo(byPartition(before));

    CliRun again = CliRun.of(at(target, "import", file.toString(), "--topic", "samples", "--json"));
    assertThat(again.exitCode()).isZero();
    assertThat(again.err()).contains("before").contains("nothing written");
    assertThat(JSON.readTree(again.out().strip()).get("alreadyImported").asBoolean()).isTrue();
    assertThat(new TopicReader(cluster(target)).all(Topics.SAMPLES)).hasSize(40);
  }

  /** Each partition's keys and values in offset order. */
  private static Map<Integer, List<String>> byPartition(List<TopicReader.Read<SampleGroup>> reads) {
    Map<Integer, List<String>> m = new HashMap<>();
    for (TopicReader.Read<SampleGroup> r : reads) {
      m.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.key() + "=" + r.value());
    }
    return m;
  }

  @Test
  void shouldRefuseBadFilesWithOneLineAndWriteNothing() throws Exception {
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "not a log\n", StandardCharsets.UTF_8);
    Path labeled = dir.resolve("labeled-for-refusal.avro");
    assertThat(
            CliRun.of(at(source, "export", "--topic", "labeled", "--out", labeled.toString()))
                .exitCode())
        .isZero();
    Path truncated = dir.resolve("truncated.avro");
    byte[] whole = Files.readAllBytes(labeled);
    Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 40));
    long samplesBefore = new TopicReader(cluster(target)).raw("samples").size();
    long labeledBefore = new TopicReader(cluster(target)).raw("labeled").size();

    CliRun notAvro = CliRun.of(at(target, "import", text.toString(), "--topic", "samples"));
    assertThat(notAvro.exitCode()).isEqualTo(1);
    assertThat(notAvro.err().strip().lines()).hasSize(1);
    assertThat(notAvro.err())
        .contains("is not an Avro object container file")
        .contains("nothing was written");

    CliRun wrongType = CliRun.of(at(target, "import", labeled.toString(), "--topic", "samples"));
    assertThat(wrongType.exitCode()).isEqualTo(1);
    assertThat(wrongType.err())
        .contains("holds dev.lodestone.schemas.avro.LabeledGroup values")
        .contains("topic samples takes dev.lodestone.schemas.avro.SampleGroup");

    CliRun damaged = CliRun.of(at(target, "import", truncated.toString(), "--topic", "labeled"));
    assertThat(damaged.exitCode()).isEqualTo(1);
    assertThat(damaged.err()).contains("damaged").contains("nothing was written");

    assertThat(new TopicReader(cluster(target)).raw("samples")).hasSize((int) samplesBefore);
    assertThat(new TopicReader(cluster(target)).raw("labeled")).hasSize((int) labeledBefore);
  }

  @Test
  void shouldExportLabelledPairsInTrlFormatWithTheChosenResponseTheJudgesPreferred()
      throws Exception {
    Map<String, LabeledGroup> sent = new HashMap<>();
    for (TopicReader.Read<LabeledGroup> r : new TopicReader(cluster(source)).all(Topics.LABELED)) {
      sent.put(r.key(), r.value());
    }
    Path file = dir.resolve("pairs.jsonl");
    CliRun run =
        CliRun.of(
            at(
                source,
                "export",
                "--topic",
                "labeled",
                "--format",
                "trl",
                "--out",
                file.toString(),
                "--json"));
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(32); // 40 groups of one pair, 8 of them tied
    assertThat(JSON.readTree(run.out().strip()).get("ties").asLong()).isEqualTo(8);
    for (String line : lines) {
      JsonNode pair = JSON.readTree(line);
      assertThat(iterable(pair.fieldNames()))
          .contains("prompt", "chosen", "rejected", "probability", "judges", "group_id");
      LabeledGroup g = sent.get(pair.get("group_id").asText());
      double p = g.getPreferences().get(0).getProbability();
      String preferred = g.getGroup().getResponses().get(p > 0.5 ? 0 : 1).getText();
      String other = g.getGroup().getResponses().get(p > 0.5 ? 1 : 0).getText();
      assertThat(pair.get("chosen").asText()).isEqualTo(preferred);
      assertThat(pair.get("rejected").asText()).isEqualTo(other);
      assertThat(pair.get("prompt").asText()).isEqualTo("Choose your move.");
      assertThat(pair.get("probability").asDouble()).isGreaterThan(0.5);
      for (JsonNode judge : pair.get("judges")) {
        assertThat(judge.get("probability_chosen").asDouble()).isGreaterThan(0.5);
      }
    }

    Path chat = dir.resolve("pairs-chat.jsonl");
    assertThat(
            CliRun.of(
                    at(
                        source,
                        "export",
                        "--topic",
                        "labeled",
                        "--format",
                        "trl-conversational",
                        "--out",
                        chat.toString()))
                .exitCode())
        .isZero();
    JsonNode first = JSON.readTree(Files.readAllLines(chat).get(0));
    assertThat(first.get("prompt").get(0).get("role").asText()).isEqualTo("user");
    assertThat(first.get("chosen").get(0).get("role").asText()).isEqualTo("assistant");

    CliRun wrongTopic =
        CliRun.of(
            at(
                source,
                "export",
                "--topic",
                "samples",
                "--format",
                "trl",
                "--out",
                chat.toString()));
    assertThat(wrongTopic.exitCode()).isEqualTo(2);
    assertThat(wrongTopic.err()).contains("use --topic labeled");
    CliRun noModel =
        CliRun.of(
            at(source, "export", "--topic", "labels", "--model-id", "m", "--out", chat.toString()));
    assertThat(noModel.exitCode()).isEqualTo(2);
    assertThat(noModel.err()).contains("name no model");
  }

  @Test
  void shouldExportAnOffsetRangeAsJsonLines() throws Exception {
    Path file = dir.resolve("range.jsonl");
    CliRun run =
        CliRun.of(
            at(
                source,
                "export",
                "--topic",
                "labeled",
                "--from-offset",
                "10",
                "--to-offset",
                "25",
                "--format",
                "jsonl",
                "--out",
                file.toString()));
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(15);
    assertThat(
            lines.stream()
                .map(l -> readTree(l).get("offset").asLong())
                .collect(Collectors.toList()))
        .containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L, 21L, 22L, 23L, 24L);
    assertThat(readTree(lines.get(0)).get("key").get("string").asText()).isEqualTo("g-10");
  }

  @Test
  void shouldImportATrlDatasetsPromptsAndItsPairsScoredUnderTheWarmupPolicyForAReplay()
      throws Exception {
    Path file = dir.resolve("dataset.jsonl");
    CliRun export =
        CliRun.of(
            at(
                source,
                "export",
                "--topic",
                "labeled",
                "--format",
                "trl",
                "--out",
                file.toString()));
    assertThat(export.exitCode()).as(export.err()).isZero();
    List<JsonNode> lines = Files.readAllLines(file).stream().map(ExportImportIT::readTree).toList();
    assertThat(lines).hasSize(32); // 40 groups, 8 ties left out

    // Prompts: the one distinct prompt, once.
    CliRun prompts =
        CliRun.of(at(target, "import-trl", file.toString(), "--to", "prompts", "--json"));
    assertThat(prompts.exitCode()).as(prompts.err()).isZero();
    assertThat(lastLine(prompts).get("records").asLong()).isEqualTo(1);
    List<TopicReader.Read<Prompt>> imported = new TopicReader(cluster(target)).all(Topics.PROMPTS);
    assertThat(imported)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.value().getText()).isEqualTo("Choose your move.");
              assertThat(r.value().getTask()).isEqualTo("perturbed-rps");
            });
    CliRun again =
        CliRun.of(at(target, "import-trl", file.toString(), "--to", "prompts", "--json"));
    assertThat(lastLine(again).get("alreadyImported").asBoolean()).isTrue();
    assertThat(new TopicReader(cluster(target)).all(Topics.PROMPTS)).hasSize(1);

    // Pairs: labelled groups, chosen first, scored under the task's warm-up policy (version 0).
    Path cache = dir.resolve("warmup");
    CliRun pairs =
        CliRun.of(
            at(
                target,
                "import-trl",
                file.toString(),
                "--to",
                "pairs",
                "--model",
                "tiny",
                "--warmup-cache",
                cache.toString(),
                "--json"));
    assertThat(pairs.exitCode()).as(pairs.err()).isZero();
    JsonNode r = lastLine(pairs);
    assertThat(r.get("records").asLong()).isEqualTo(32);
    long first = r.get("firstOffset").asLong();
    long end = r.get("endOffset").asLong();
    List<TopicReader.Read<LabeledGroup>> groups =
        new TopicReader(cluster(target))
            .all(Topics.REPLAY).stream()
                .filter(x -> x.offset() >= first && x.offset() < end)
                .toList();
    assertThat(groups).hasSize(32);
    TaskSetup.Warmed warm =
        TaskSetup.of("perturbed-rps")
            .warmup(ModelSize.TINY.config(), cache, 0, ai.djl.Device.cpu(), WarmupListener.NONE);
    assertThat(warm.fromCache()).isTrue();
    try (PolicyModel scorer = PolicyModel.fromBytes(warm.weights(), ai.djl.Device.cpu())) {
      for (int k = 0; k < 32; k++) {
        JsonNode line = lines.get(k);
        LabeledGroup g = groups.get(k).value();
        SampleGroup sg = g.getGroup();
        assertThat(sg.getResponses().get(0).getText()).isEqualTo(line.get("chosen").asText());
        assertThat(sg.getResponses().get(1).getText()).isEqualTo(line.get("rejected").asText());
        assertThat(sg.getPolicyVersion()).isZero();
        PairPreference p = g.getPreferences().get(0);
        assertThat(p.getProbability()).isEqualTo(line.get("probability").asDouble());
        assertThat(p.getLabels())
            .extracting(LabelProvenance::getJudgeId)
            .containsExactlyInAnyOrder("llm:m", "oracle:perturbed-rps");
        int[] prompt = sg.getPromptTokenIds().stream().mapToInt(Integer::intValue).toArray();
        int[] chosen =
            sg.getResponses().get(0).getTokenIds().stream().mapToInt(Integer::intValue).toArray();
        float[] expected =
            scorer.responseTokenLogProbs(List.of(new PromptResponse(prompt, chosen)))[0];
        List<Float> got = sg.getResponses().get(0).getLogProbs();
        assertThat(got).hasSize(expected.length);
        for (int t = 0; t < expected.length; t++) {
          assertThat(got.get(t)).isEqualTo(expected[t]);
        }
      }
    }

    // The learner trains on them: the range's 8 whole batches of 4.
    CliRun replay =
        CliRun.of(
            at(
                target,
                "replay",
                "--from",
                "replay:" + first + ".." + end,
                "--model-id",
                "trl-replay",
                "--model",
                "tiny",
                "--warmup-cache",
                cache.toString(),
                "--batch-groups",
                "4",
                "--json"));
    assertThat(replay.exitCode()).as(replay.err()).isZero();
    JsonNode done = lastLine(replay);
    assertThat(done.get("state").asText()).isEqualTo("STOPPED");
    assertThat(done.get("step").asLong()).isEqualTo(8);
    assertThat(done.get("budgetSteps").asLong()).isEqualTo(8);
    assertThat(done.get("consumedGroups").asLong()).isEqualTo(32);

    // A malformed line refuses the file, naming the line.
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(
        bad, "{\"prompt\": \"p\", \"chosen\": \"a\", \"rejected\": \"b\"}\n{\"prompt\": \"p\"}\n");
    CliRun refused = CliRun.of(at(target, "import-trl", bad.toString(), "--to", "prompts"));
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err())
        .contains("line 2")
        .contains("'chosen' is missing")
        .contains("nothing was written");
  }

  private static JsonNode lastLine(CliRun run) {
    String[] lines = run.out().strip().split("\n");
    return readTree(lines[lines.length - 1]);
  }

  @Test
  void shouldRelabelRecordedSamplesIntoTheReplayTopicAndReportTheAgreement() throws Exception {
    CliRun run = CliRun.of(at(source, "relabel", "--from-time", "2000-01-01T00:00:00Z", "--json"));
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode r = readTree(run.out().strip().lines().reduce((x, y) -> y).orElseThrow());
    assertThat(r.get("judgeId").asText()).isEqualTo("oracle:perturbed-rps");
    assertThat(r.get("groups").asLong()).isEqualTo(40);
    long first = r.get("firstOffset").asLong();
    long end = r.get("endOffset").asLong();
    assertThat(r.get("replayFrom").asText()).isEqualTo("replay:" + first + ".." + end);

    // The groups, in labeled's order, each with the oracle's exact preference as its only label.
    PairJudge oracle =
        GameOracle.forGame("perturbed-rps", Games.perturbedRps(), LabelMode.EXACT, 0);
    List<TopicReader.Read<LabeledGroup>> written =
        new TopicReader(cluster(source))
            .all(Topics.REPLAY).stream()
                .filter(x -> x.offset() >= first && x.offset() < end)
                .toList();
    assertThat(written).hasSize(40);
    long pairs = 0;
    long decided = 0;
    long agreeing = 0;
    for (int k = 0; k < 40; k++) {
      LabeledGroup g = written.get(k).value();
      assertThat(g.getGroup().getGroupId()).isEqualTo("g-" + k);
      assertThat(g.getJudgeIds()).containsExactly("oracle:perturbed-rps");
      PairPreference p = g.getPreferences().get(0);
      double exact = oracle.preference(g.getGroup(), 0, 1);
      assertThat(p.getProbability()).isEqualTo(exact);
      assertThat(p.getLabels())
          .singleElement()
          .satisfies(l -> assertThat(l.getJudgeKind()).isEqualTo(JudgeKind.GAME_ORACLE));
      // The recorded label of the fixture (the mean of its two judges).
      double old =
          labeled(group("g-" + k, MOVES[k % 3], MOVES[(k / 3) % 3]), k)
              .getPreferences()
              .get(0)
              .getProbability();
      pairs++;
      if (old != 0.5 && exact != 0.5) {
        decided++;
        agreeing += (old > 0.5) == (exact > 0.5) ? 1 : 0;
      }
    }
    assertThat(decided).isPositive().isLessThan(pairs);
    assertThat(r.get("pairsCompared").asLong()).isEqualTo(pairs);
    assertThat(r.get("pairsDecided").asLong()).isEqualTo(decided);
    assertThat(r.get("agreement").asDouble()).isEqualTo((double) agreeing / decided);

    // Sampled verdicts: every label 0 or 1.
    CliRun sampled =
        CliRun.of(
            at(
                source,
                "relabel",
                "--from-time",
                "2000-01-01T00:00:00Z",
                "--labels",
                "sampled",
                "--seed",
                "3",
                "--json"));
    assertThat(sampled.exitCode()).as(sampled.err()).isZero();
    JsonNode s = readTree(sampled.out().strip().lines().reduce((x, y) -> y).orElseThrow());
    long from = s.get("firstOffset").asLong();
    assertThat(from).isGreaterThanOrEqualTo(end);
    assertThat(
            new TopicReader(cluster(source))
                .all(Topics.REPLAY).stream()
                    .filter(x -> x.offset() >= from)
                    .map(x -> x.value().getPreferences().get(0).getProbability())
                    .distinct())
        .isSubsetOf(0.0, 1.0);

    // A range without samples writes nothing.
    CliRun empty = CliRun.of(at(source, "relabel", "--from-time", "2100-01-01T00:00:00Z"));
    assertThat(empty.exitCode()).isEqualTo(1);
    assertThat(empty.err()).contains("samples holds no group").contains("nothing was written");
  }

  private static JsonNode readTree(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
