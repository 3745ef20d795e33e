package dev.lodestone.infra.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario {@code learner}: a recorded log is replayed twice into fresh models, once straight
 * through and once killed with SIGKILL at {@code kills} random steps and restarted each time. The
 * killed replay must resume from its checkpoints and end on the same weights (sha256) having
 * consumed the same groups.
 */
final class LearnerScenario {
  static final String NAME = "learner";
  private static final Pattern RUNNING_FROM = Pattern.compile("running from step (\\d+)");
  private static final Duration RUN = Duration.ofMinutes(5);

  private LearnerScenario() {}

  static ScenarioResult run(ChaosSettings s, Path dir, Consumer<String> progress) throws Exception {
    try (ChaosStack stack = new ChaosStack(dir.resolve("stack"))) {
      ClusterConfig cluster = stack.cluster();
      Components c = new Components(cluster, dir, "chaos-recorded", s.steps());
      progress.accept(NAME + ": recording a log of " + s.steps() + " steps");
      record(c, cluster);

      progress.accept(NAME + ": the straight replay");
      JsonNode straight;
      try (LodestoneProcess p = c.start("replay-straight", c.replay("chaos-straight"))) {
        requireExit(p, 0);
        straight = Components.json(p);
      }

      // Each run is killed at a random step between the step it resumed from and the end,
      // spread so that every kill falls inside the run.
      Random random = new Random(s.seed());
      List<Long> killSteps = new ArrayList<>();
      List<Long> resumedFrom = new ArrayList<>();
      try (PolicyWatcher policy = new PolicyWatcher(cluster, "chaos-killed")) {
        for (int k = 0; k < s.kills(); k++) {
          LodestoneProcess p = c.start("replay-killed-" + k, c.replay("chaos-killed"));
          try {
            TopicReader.await("the replay runs", RUN, () -> startStep(p) >= 0 || !p.isAlive());
            long from = startStep(p);
            long left = s.steps() - from;
            long target = from + 1 + random.nextInt((int) Math.max(1, left / (s.kills() - k + 1)));
            TopicReader.await(
                "the replay reaches step " + target,
                RUN,
                () -> policy.maxStep() >= target || !p.isAlive());
            if (!p.isAlive()) {
              break; // it finished before its kill: the run is shorter than the kills need
            }
            p.kill();
            resumedFrom.add(from);
            killSteps.add(policy.maxStep());
          } finally {
            p.close();
          }
          progress.accept(
              NAME + ": SIGKILL " + (k + 1) + " at step " + killSteps.get(killSteps.size() - 1));
        }
      }
      JsonNode killed;
      try (LodestoneProcess p = c.start("replay-killed-end", c.replay("chaos-killed"))) {
        requireExit(p, 0);
        killed = Components.json(p);
        resumedFrom.add(startStep(p));
      }
      long resumed = resumedFrom.stream().skip(1).filter(step -> step > 0).count();
      long expected = straight.get("consumedGroups").asLong();
      long delivered = killed.get("consumedGroups").asLong();
      boolean same = straight.get("sha256").asText().equals(killed.get("sha256").asText());
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("kills", killSteps.size());
      details.put("killedAtSteps", killSteps.toString());
      details.put("startedFromSteps", resumedFrom.toString());
      details.put("straightSha256", straight.get("sha256").asText());
      details.put("killedSha256", killed.get("sha256").asText());
      details.put("steps", killed.get("step").asLong());
      return new ScenarioResult(
          NAME,
          killSteps.size() + " x SIGKILL of a replaying learner",
          expected,
          delivered,
          Math.max(0, expected - delivered),
          Math.max(0, delivered - expected),
          details,
          same
              && expected == delivered
              && killed.get("step").asLong() == s.steps()
              && killSteps.size() == s.kills()
              && resumed == killSteps.size(),
          "sha256 of the last version "
              + (same ? "equal to" : "DIFFERS from")
              + " the straight replay's; "
              + resumed
              + " of "
              + killSteps.size()
              + " restarts resumed from a checkpoint");
    }
  }

  /** A judge, a sampler and a learner to its last step; then every sample labelled. */
  private static void record(Components c, ClusterConfig cluster) throws Exception {
    try (LodestoneProcess judge = c.start("judge-record", c.judge("j-record"));
        LodestoneProcess sampler = c.start("sampler-record", c.sampler("chaos-record"));
        LodestoneProcess learner = c.start("learner-record", c.learner())) {
      requireExit(learner, 0);
      sampler.stop(Duration.ofSeconds(60));
      LogCheck.awaitLabelled(new TopicReader(cluster));
    }
  }

  /** The step a replay said it runs from, or -1 before it says so. */
  private static long startStep(LodestoneProcess p) {
    try {
      Matcher m = RUNNING_FROM.matcher(p.stderr());
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  static void requireExit(LodestoneProcess p, int status) throws Exception {
    int rc = p.awaitExit(RUN);
    if (rc != status) {
      throw new IllegalStateException(
          p.name() + " exited with " + rc + ", not " + status + ":\n" + p.tail());
    }
  }
}
