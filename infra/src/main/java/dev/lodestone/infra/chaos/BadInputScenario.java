package dev.lodestone.infra.chaos;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Scenario {@code bad-input}: {@code badRecordsPerKind} records of every kind of damage ({@link
 * BadRecords}) into {@code samples}, {@code labels} and {@code labeled} of a running pipeline of
 * processes. Every one must reach {@code dead-letters} with its reason from each component that
 * reads it, no component may exit, and the learner (with no step budget here) must take {@code
 * steps} more steps on the good groups.
 */
final class BadInputScenario {
  static final String NAME = "bad-input";

  private BadInputScenario() {}

  static ScenarioResult run(ChaosSettings s, Path dir, Consumer<String> progress) throws Exception {
    try (ChaosStack stack = new ChaosStack(dir.resolve("stack"))) {
      ClusterConfig cluster = stack.cluster();
      Components c = new Components(cluster, dir, "chaos-bad-input", s.steps());
      List<String> judgeArgs = c.judge("j1");
      judgeArgs.addAll(List.of("--label-timeout", "5"));
      try (LodestoneProcess judge = c.start("judge", judgeArgs);
          LodestoneProcess sampler = c.start("sampler", c.sampler("chaos-s1"));
          LodestoneProcess learner = c.start("learner", c.openLearner());
          PolicyWatcher policy = new PolicyWatcher(cluster, "chaos-bad-input")) {
        TopicReader reader = new TopicReader(cluster);
        TopicReader.await(
            "the learner's first steps",
            Duration.ofMinutes(5),
            () -> policy.maxStep() >= 2 || !learner.isAlive());
        LabeledGroup good = reader.all(Topics.LABELED).get(0).value();
        long stepAtInjection = policy.maxStep();
        long perKind = s.badRecordsPerKind();
        progress.accept(NAME + ": " + perKind + " records of each kind of damage");
        long sent = BadRecords.inject(cluster, good, perKind);
        Map<String, Long> expected = BadRecords.expected(perKind);
        long total = expected.values().stream().mapToLong(Long::longValue).sum();
        long timeout = 120 + perKind / 10;
        TopicReader.await(
            total + " dead letters",
            Duration.ofSeconds(timeout),
            () -> reader.raw(Topics.DEAD_LETTERS.name()).size() >= total || !judge.isAlive());
        // The good groups between the bad ones are still trained on.
        TopicReader.await(
            s.steps() + " steps after the bad input",
            Duration.ofMinutes(5),
            () -> policy.maxStep() >= stepAtInjection + s.steps() || !learner.isAlive());
        boolean alive = judge.isAlive() && sampler.isAlive() && learner.isAlive();
        long steps = policy.maxStep() - stepAtInjection;
        Map<String, Long> got = BadRecords.deadLetters(reader);
        long delivered = 0;
        long over = 0;
        for (Map.Entry<String, Long> e : expected.entrySet()) {
          long n = got.getOrDefault(e.getKey(), 0L);
          delivered += Math.min(n, e.getValue());
          over += Math.max(0, n - e.getValue());
        }
        long unexpected =
            got.entrySet().stream()
                .filter(e -> !expected.containsKey(e.getKey()))
                .mapToLong(Map.Entry::getValue)
                .sum();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("recordsSent", sent);
        details.put("deadLetters", got);
        details.put("unexpectedDeadLetters", unexpected);
        details.put("learnerStepsAfterInjection", steps);
        details.put("componentsAlive", alive);
        return new ScenarioResult(
            NAME,
            sent + " malformed records (" + perKind + " of each of 16 kinds)",
            total,
            delivered,
            total - delivered,
            over,
            details,
            delivered == total && over == 0 && unexpected == 0 && alive && steps >= s.steps(),
            "dead letters by component, topic and reason "
                + (got.equals(expected) ? "as expected" : "DIFFER: " + got)
                + "; "
                + (alive ? "no component exited" : "a component EXITED"));
      }
    }
  }
}
