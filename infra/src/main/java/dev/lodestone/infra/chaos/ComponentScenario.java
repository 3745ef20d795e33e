package dev.lodestone.infra.chaos;

import dev.lodestone.judge.streams.LabelJoinCounters;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.serde.DeadLetterReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Scenario {@code components}: a judge (with its label join), a sampler and a learner run as
 * processes; the judge and the sampler are each killed with SIGKILL {@code kills} times, at random
 * moments, and started again at once with the same ids, and before each kill {@link #RESENDS}
 * groups already on {@code samples} are sent again byte for byte, as a producer's retry would;
 * after the last kill the pipeline must label {@code steps} more groups. Every sample group must
 * then be labelled exactly once, every re-sent copy must be dead-lettered as a duplicate, no group
 * may be cut short, and the time from a judge's restart to its next label is measured.
 */
final class ComponentScenario {
  static final String NAME = "components";

  /** Groups re-sent before each kill. */
  static final int RESENDS = 3;

  private ComponentScenario() {}

  static ScenarioResult run(ChaosSettings s, Path dir, Consumer<String> progress) throws Exception {
    try (ChaosStack stack = new ChaosStack(dir.resolve("stack"))) {
      ClusterConfig cluster = stack.cluster();
      // Enough steps to outlast the kills: about 10 s between two.
      Components c = new Components(cluster, dir, "chaos-components", s.steps());
      TopicReader reader = new TopicReader(cluster);
      Random random = new Random(s.seed());
      List<Double> judgeRestartSeconds = new ArrayList<>();
      List<LodestoneProcess> all = new ArrayList<>();
      Map<String, Integer> resends = new java.util.HashMap<>();
      try {
        LodestoneProcess judge = c.start("judge-0", c.judge("j1"));
        LodestoneProcess sampler = c.start("sampler-0", c.sampler("chaos-s1"));
        // The learner has no step budget here: it trains through every kill and is stopped at
        // the end, so that the kills never outlast the run.
        LodestoneProcess learner = c.start("learner", c.openLearner());
        all.addAll(List.of(judge, sampler, learner));
        for (int k = 0; k < s.kills(); k++) {
          long labelsBefore = reader.raw(Topics.LABELS.name()).size();
          TopicReader.await(
              "labels keep coming",
              Duration.ofMinutes(3),
              () ->
                  reader.raw(Topics.LABELS.name()).size() > labelsBefore + 4 || !learner.isAlive());
          if (!learner.isAlive()) {
            break; // the learner reached its budget: no pipeline left to hurt
          }
          resend(cluster, reader, RESENDS, resends);
          Thread.sleep(500 + random.nextInt(2500));
          progress.accept(NAME + ": SIGKILL of the judge and the sampler (" + (k + 1) + ")");
          judge.kill();
          sampler.kill();
          long labelsAtKill = reader.raw(Topics.LABELS.name()).size();
          long restarted = System.nanoTime();
          judge = c.start("judge-" + (k + 1), c.judge("j1"));
          sampler = c.start("sampler-" + (k + 1), c.sampler("chaos-s1"));
          all.add(judge);
          all.add(sampler);
          LodestoneProcess j = judge;
          TopicReader.await(
              "the restarted judge labels",
              Duration.ofMinutes(3),
              () -> reader.raw(Topics.LABELS.name()).size() > labelsAtKill || !j.isAlive());
          judgeRestartSeconds.add((System.nanoTime() - restarted) / 1e9);
        }
        long labeledNow = reader.raw(Topics.LABELED.name()).size();
        TopicReader.await(
            "the pipeline goes on after the last kill",
            Duration.ofMinutes(3),
            () ->
                reader.raw(Topics.LABELED.name()).size() >= labeledNow + s.steps()
                    || !learner.isAlive());
        boolean alive = learner.isAlive() && judge.isAlive() && sampler.isAlive();
        learner.stop(Duration.ofSeconds(60));
        sampler.stop(Duration.ofSeconds(60));
        long resent = resends.values().stream().mapToLong(Integer::longValue).sum();
        LogCheck.awaitLabelled(reader, resent);
        LogCheck log = LogCheck.read(reader, resends);
        TopicReader.await(
            "the label join dead-letters every re-sent copy",
            Duration.ofMinutes(2),
            () -> duplicatesDeadLettered(reader) >= resent);
        long duplicateLetters = duplicatesDeadLettered(reader);
        int kills = judgeRestartSeconds.size();
        Map<String, Object> details = new LinkedHashMap<>(log.details());
        details.put("kills", kills);
        details.put("duplicateGroupLetters", duplicateLetters);
        details.put("judgeRestartToLabelSeconds", judgeRestartSeconds.toString());
        details.put(
            "judgeRestartToLabelMaxSeconds",
            judgeRestartSeconds.stream().mapToDouble(Double::doubleValue).max().orElse(0));
        return new ScenarioResult(
            NAME,
            kills
                + " x SIGKILL of the judge and of the sampler, restarted with their ids; "
                + resent
                + " groups re-sent",
            log.uniqueSamples(),
            log.uniqueLabeled() - log.foreign(),
            log.missing(),
            log.duplicated(),
            details,
            log.clean() && kills == s.kills() && alive && duplicateLetters == resent,
            kills
                + " of "
                + s.kills()
                + " kills done; "
                + (alive ? "" : "a component EXITED; ")
                + log.halfGroups()
                + " groups cut short, "
                + duplicateLetters
                + " of "
                + resent
                + " re-sent copies dead-lettered, "
                + log.foreign()
                + " labelled groups without a sample");
      } finally {
        for (int i = all.size() - 1; i >= 0; i--) {
          all.get(i).close();
        }
      }
    }
  }

  /**
   * Sends {@code n} of the newest records of {@code samples} again, key and bytes unchanged (so to
   * the same partition), and counts them in {@code resends} by group id.
   */
  private static void resend(
      ClusterConfig cluster, TopicReader reader, int n, Map<String, Integer> resends)
      throws Exception {
    List<ConsumerRecord<String, byte[]>> all = reader.raw(Topics.SAMPLES.name());
    List<ConsumerRecord<String, byte[]>> last =
        all.subList(Math.max(0, all.size() - n), all.size());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            cluster.clientProperties("chaos-resender"),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (ConsumerRecord<String, byte[]> r : last) {
        producer.send(new ProducerRecord<>(Topics.SAMPLES.name(), r.key(), r.value())).get();
        resends.merge(r.key(), 1, Integer::sum);
      }
    }
  }

  /** The label join's {@code DUPLICATE_GROUP} letters of {@code samples}. */
  private static long duplicatesDeadLettered(TopicReader reader) {
    return BadRecords.deadLetters(reader)
        .getOrDefault(
            LabelJoinCounters.COMPONENT
                + " "
                + Topics.SAMPLES.name()
                + " "
                + DeadLetterReason.DUPLICATE_GROUP.name(),
            0L);
  }
}
