package dev.lodestone.infra.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.PromptResponse;
import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabelProvenance;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.Prompt;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Imports a preference dataset in TRL's format (JSON lines of {@code prompt}, {@code chosen},
 * {@code rejected}, each a string or, in the conversational variant, a list of {@code {role,
 * content}} messages; optional {@code probability} of the chosen response and {@code judges}, as
 * {@code lodestone export --format trl} writes them):
 *
 * <ul>
 *   <li><b>Prompts</b> into {@code prompts}: each distinct prompt once, id {@code trl-} and the
 *       first 16 hex digits of its text's SHA-256, under the given task; the samplers of a task
 *       that reads {@code prompts} then sample them.
 *   <li><b>Pairs</b> into {@code replay} as labelled groups of two responses, chosen first, for a
 *       replay to train on. A dataset has no behaviour log-probabilities: each response is scored
 *       under a stated policy (the task's warm-up policy, version 0 of every fresh model of the
 *       task), and the group is stamped with that version, as if that policy had sampled it. The
 *       learner then treats the pair as it treats any stale sample: the importance weights correct
 *       from that policy to its current iterate, clipped as usual. The preference is the line's
 *       {@code probability} (1 without one); its {@code judges} become the label's provenance.
 * </ul>
 *
 * The whole file is read and checked first (a malformed line refuses the file, with its line
 * number, before anything is written); then every record goes out in one transaction with a marker
 * offset for consumer group {@code lodestone-import-TOPIC-SHA}, so that a second import of the same
 * file into the same topic writes nothing.
 */
public final class TrlImporter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** The judge id of a label from a dataset line without {@code judges}. */
  public static final String DATASET_JUDGE_PREFIX = "trl:";

  /**
   * What an import did.
   *
   * @param lines pairs (lines) read
   * @param records records written (0 when imported before)
   * @param skipped pairs left out: longer than the scoring model's context
   * @param alreadyImported whether the file was imported into the topic before
   * @param firstOffset the first record's offset (one-partition topics; -1 otherwise or none)
   * @param endOffset the offset after the last record (-1 as above)
   */
  public record Result(
      long lines,
      long records,
      long skipped,
      boolean alreadyImported,
      long firstOffset,
      long endOffset) {}

  /** One line of the dataset. */
  record Pair(
      int line,
      String prompt,
      String chosen,
      String rejected,
      double probability,
      JsonNode judges) {}

  private final ClusterConfig cluster;

  public TrlImporter(ClusterConfig cluster) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
  }

  /** Imports the distinct prompts of {@code file} into {@code prompts}, under {@code task}. */
  public Result importPrompts(Path file, String task) throws InvalidLogException, IOException {
    List<Pair> pairs = read(file);
    Set<String> prompts = new LinkedHashSet<>();
    pairs.forEach(p -> prompts.add(p.prompt()));
    Instant now = Instant.now();
    List<Prompt> records = new ArrayList<>();
    for (String text : prompts) {
      records.add(
          Prompt.newBuilder()
              .setPromptId("trl-" + sha256(text.getBytes(StandardCharsets.UTF_8)).substring(0, 16))
              .setTask(task)
              .setText(text)
              .setTime(now)
              .build());
    }
    return write(file, Topics.PROMPTS, records, Prompt::getPromptId, pairs.size(), 0);
  }

  /**
   * Imports the pairs of {@code file} into {@code replay} as labelled groups scored under {@code
   * scorer}, stamped with {@code scorerVersion}.
   */
  public Result importPairs(Path file, String task, PolicyModel scorer, long scorerVersion)
      throws InvalidLogException, IOException {
    List<Pair> pairs = read(file);
    ByteTokenizer tok = scorer.tokenizer();
    int context = scorer.config().contextLength();
    String fileSha = sha256(Files.readAllBytes(file)).substring(0, 16);
    Instant now = Instant.now();
    List<LabeledGroup> records = new ArrayList<>();
    long skipped = 0;
    for (Pair p : pairs) {
      int[] prompt = tok.encodePrompt(p.prompt());
      int[] chosen = tok.encodeResponse(p.chosen(), true);
      int[] rejected = tok.encodeResponse(p.rejected(), true);
      if (new PromptResponse(prompt, chosen).inputLength() > context
          || new PromptResponse(prompt, rejected).inputLength() > context) {
        skipped++;
        continue;
      }
      float[][] lp =
          scorer.responseTokenLogProbs(
              List.of(new PromptResponse(prompt, chosen), new PromptResponse(prompt, rejected)));
      SampleGroup group =
          SampleGroup.newBuilder()
              .setGroupId("trl-" + fileSha + "-" + p.line())
              .setPromptId(
                  "trl-" + sha256(p.prompt().getBytes(StandardCharsets.UTF_8)).substring(0, 16))
              .setTask(task)
              .setPrompt(p.prompt())
              .setPromptTokenIds(ints(prompt))
              .setResponses(
                  List.of(
                      response(p.chosen(), chosen, lp[0]), response(p.rejected(), rejected, lp[1])))
              .setPolicyVersion(scorerVersion)
              .setMagnetVersion(0)
              .setSamplerId("trl-import")
              .setTime(now)
              .build();
      records.add(
          LabeledGroup.newBuilder()
              .setGroup(group)
              .setPreferences(
                  List.of(
                      PairPreference.newBuilder()
                          .setI(0)
                          .setJ(1)
                          .setProbability(p.probability())
                          .setLabelCount(Math.max(1, provenance(p, file).size()))
                          .setLabels(provenance(p, file))
                          .build()))
              .setJudgeIds(provenance(p, file).stream().map(LabelProvenance::getJudgeId).toList())
              .setAggregation("trl-import")
              .setTime(now)
              .build());
    }
    return write(
        file, Topics.REPLAY, records, l -> l.getGroup().getGroupId(), pairs.size(), skipped);
  }

  private static List<LabelProvenance> provenance(Pair p, Path file) {
    List<LabelProvenance> out = new ArrayList<>();
    if (p.judges() != null && p.judges().isArray()) {
      for (JsonNode j : p.judges()) {
        JudgeKind kind;
        try {
          kind = JudgeKind.valueOf(j.path("judge_kind").asText("OTHER"));
        } catch (IllegalArgumentException e) {
          kind = JudgeKind.OTHER;
        }
        out.add(
            LabelProvenance.newBuilder()
                .setJudgeId(j.path("judge_id").asText("unknown"))
                .setJudgeKind(kind)
                .setProbability(j.path("probability_chosen").asDouble(p.probability()))
                .build());
      }
    }
    if (out.isEmpty()) {
      out.add(
          LabelProvenance.newBuilder()
              .setJudgeId(DATASET_JUDGE_PREFIX + file.getFileName())
              .setJudgeKind(JudgeKind.OTHER)
              .setProbability(p.probability())
              .build());
    }
    return out;
  }

  private static Response response(String text, int[] ids, float[] logProbs) {
    List<Float> lps = new ArrayList<>(logProbs.length);
    for (float f : logProbs) {
      lps.add(f);
    }
    return Response.newBuilder()
        .setText(text)
        .setTokenIds(ints(ids))
        .setLogProbs(lps)
        .setFinished(true)
        .build();
  }

  private static List<Integer> ints(int[] a) {
    List<Integer> out = new ArrayList<>(a.length);
    for (int x : a) {
      out.add(x);
    }
    return out;
  }

  /** Every line of the file, checked. */
  static List<Pair> read(Path file) throws InvalidLogException, IOException {
    List<Pair> pairs = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode o;
        try {
          o = JSON.readTree(line);
        } catch (JsonProcessingException e) {
          throw new InvalidLogException(
              file + " line " + n + " is not JSON: " + e.getOriginalMessage(), e);
        }
        if (o == null || !o.isObject()) {
          throw new InvalidLogException(file + " line " + n + " is not a JSON object", null);
        }
        String prompt = text(file, n, o, "prompt", "user");
        String chosen = text(file, n, o, "chosen", "assistant");
        String rejected = text(file, n, o, "rejected", "assistant");
        double probability = 1.0;
        if (o.has("probability")) {
          probability = o.get("probability").asDouble(Double.NaN);
          if (!(probability >= 0 && probability <= 1)) {
            throw new InvalidLogException(
                file
                    + " line "
                    + n
                    + ": probability must be in [0, 1], got "
                    + o.get("probability"),
                null);
          }
        }
        pairs.add(new Pair(n, prompt, chosen, rejected, probability, o.get("judges")));
      }
    }
    if (pairs.isEmpty()) {
      throw new InvalidLogException(file + " holds no preference pair", null);
    }
    return pairs;
  }

  /** A field as text: a string, or the last message of {@code role} in a list of messages. */
  private static String text(Path file, int n, JsonNode o, String field, String role)
      throws InvalidLogException {
    JsonNode v = o.get(field);
    if (v != null && v.isTextual()) {
      return v.asText();
    }
    if (v != null && v.isArray()) {
      String found = null;
      for (JsonNode m : v) {
        if (role.equals(m.path("role").asText()) && m.path("content").isTextual()) {
          found = m.path("content").asText();
        }
      }
      if (found != null) {
        return found;
      }
      throw new InvalidLogException(
          file + " line " + n + ": '" + field + "' holds no " + role + " message", null);
    }
    throw new InvalidLogException(
        file
            + " line "
            + n
            + ": '"
            + field
            + "' is missing (TRL's preference format has prompt, chosen and rejected)",
        null);
  }

  private <V extends SpecificRecord> Result write(
      Path file,
      TopicSpec<V> topic,
      List<V> records,
      java.util.function.Function<V, String> key,
      long lines,
      long skipped)
      throws IOException {
    String sha = sha256(Files.readAllBytes(file));
    String marker = LogImporter.marker(topic.name(), sha);
    try (Admin admin = Admin.create(cluster.clientProperties("lodestone-import-admin"))) {
      Map<TopicPartition, OffsetAndMetadata> done =
          admin
              .listConsumerGroupOffsets(marker)
              .partitionsToOffsetAndMetadata()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (done != null && !done.isEmpty()) {
        long[] range = LogImporter.range(done);
        return new Result(lines, 0, skipped, true, range[0], range[1]);
      }
      int partitions =
          admin
              .describeTopics(List.of(topic.name()))
              .allTopicNames()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .get(topic.name())
              .partitions()
              .size();
      AvroSerializer<V> values =
          TopicSerdes.valueSerializer(
              topic, cluster.registryClient(), SchemaRegistration.AUTO_REGISTER);
      Properties p = cluster.clientProperties(marker);
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, marker);
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
        producer.initTransactions();
        producer.beginTransaction();
        try {
          Future<RecordMetadata> first = null;
          Future<RecordMetadata> last = null;
          for (V v : records) {
            last =
                producer.send(new ProducerRecord<>(topic.name(), key.apply(v), values.encode(v)));
            first = first == null ? last : first;
          }
          producer.flush();
          long from = -1;
          long to = -1;
          String range = "";
          if (partitions == 1 && first != null) {
            from = first.get().offset();
            to = last.get().offset() + 1;
            range = ", offsets " + from + ".." + to;
          }
          producer.sendOffsetsToTransaction(
              Map.of(
                  new TopicPartition(topic.name(), 0),
                  new OffsetAndMetadata(
                      records.size(),
                      "lodestone import of " + file.getFileName() + ", sha256 " + sha + range)),
              new ConsumerGroupMetadata(marker));
          producer.commitTransaction();
          return new Result(lines, records.size(), skipped, false, from, to);
        } catch (RuntimeException | ExecutionException | InterruptedException e) {
          producer.abortTransaction();
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
          throw new IOException("the import failed, nothing was committed: " + e, e);
        }
      }
    } catch (ExecutionException e) {
      throw new IOException("the cluster refused: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("the cluster did not answer within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
