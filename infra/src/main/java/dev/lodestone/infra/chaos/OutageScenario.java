package dev.lodestone.infra.chaos;

import dev.lodestone.schemas.kafka.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario {@code outage}: with a judge, a sampler and a learner running as processes, the broker
 * and the registry go down for {@code outageSeconds} and come back on the same ports and data. No
 * component may exit; the learner must reach its last step, every sample group must be labelled
 * exactly once, and the counts of the components' log lines about the outage are reported.
 */
final class OutageScenario {
  static final String NAME = "outage";
  private static final Pattern NETWORK_WARNING = Pattern.compile("WARN .*NetworkClient");
  private static final Pattern SAMPLER_UNREACHABLE = Pattern.compile("the cluster does not answer");

  private OutageScenario() {}

  static ScenarioResult run(ChaosSettings s, Path dir, Consumer<String> progress) throws Exception {
    try (ChaosStack stack = new ChaosStack(dir.resolve("stack"))) {
      ClusterConfig cluster = stack.cluster();
      Components c = new Components(cluster, dir, "chaos-outage", s.steps());
      try (LodestoneProcess judge = c.start("judge", c.judge("j1"));
          LodestoneProcess sampler = c.start("sampler", c.sampler("chaos-s1"));
          LodestoneProcess learner = c.start("learner", c.learner());
          PolicyWatcher policy = new PolicyWatcher(cluster, "chaos-outage")) {
        long at = s.steps() / 4;
        TopicReader.await(
            "the learner reaches step " + at,
            Duration.ofMinutes(5),
            () -> policy.maxStep() >= at || !learner.isAlive());
        progress.accept(NAME + ": broker and registry down for " + s.outageSeconds() + " s");
        stack.outage(Duration.ofSeconds(s.outageSeconds()));
        progress.accept(NAME + ": back");
        List<LodestoneProcess> exitedEarly =
            java.util.stream.Stream.of(judge, sampler).filter(p -> !p.isAlive()).toList();
        LearnerScenario.requireExit(learner, 0);
        boolean othersAlive = judge.isAlive() && sampler.isAlive() && exitedEarly.isEmpty();
        sampler.stop(Duration.ofSeconds(60));
        TopicReader reader = new TopicReader(stack.cluster());
        LogCheck.awaitLabelled(reader);
        LogCheck log = LogCheck.read(reader);
        long steps = Components.json(learner).get("step").asLong();
        Map<String, Object> details = new LinkedHashMap<>(log.details());
        details.put("outageSeconds", s.outageSeconds());
        details.put("learnerSteps", steps);
        details.put("componentsAliveAfterOutage", othersAlive);
        details.put("samplerUnreachableLines", count(SAMPLER_UNREACHABLE, sampler.stderr()));
        details.put(
            "kafkaNetworkWarnings",
            count(NETWORK_WARNING, judge.stderr())
                + count(NETWORK_WARNING, sampler.stderr())
                + count(NETWORK_WARNING, learner.stderr()));
        return new ScenarioResult(
            NAME,
            "broker and registry down " + s.outageSeconds() + " s",
            log.uniqueSamples(),
            log.uniqueLabeled() - log.foreign(),
            log.missing(),
            log.duplicated(),
            details,
            log.clean() && othersAlive && steps == s.steps(),
            (othersAlive ? "no component exited" : "a component EXITED")
                + ", the learner reached step "
                + steps);
      }
    }
  }

  private static long count(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    long n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
