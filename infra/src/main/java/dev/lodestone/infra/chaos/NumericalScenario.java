package dev.lodestone.infra.chaos;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.lodestone.learner.NumericalFaults;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.service.feed.PolicyFeed;
import dev.lodestone.service.feed.PolicyFeedConfig;
import dev.lodestone.service.feed.PolicySnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Scenario {@code numerical}: a learner with {@code --inject-numerical-faults} (a NaN loss or an
 * infinite gradient every {@link #EVERY}-th step attempt) runs its {@code steps} among a judge and
 * a sampler. Every injected fault must be skipped and counted ({@code skippedSteps} equals the
 * faults injected before the last step), the learner must reach its steps, and the last published
 * version, assembled from the policy topic as a sampler reads it, must hold finite weights only: an
 * update applies to the weights of the one before, so a non-finite value that reached any version
 * would still be in the last.
 */
final class NumericalScenario {
  static final String NAME = "numerical";

  /** The fault period in step attempts. */
  static final long EVERY = 5;

  private NumericalScenario() {}

  static ScenarioResult run(ChaosSettings s, Path dir, Consumer<String> progress) throws Exception {
    try (ChaosStack stack = new ChaosStack(dir.resolve("stack"))) {
      ClusterConfig cluster = stack.cluster();
      String model = "chaos-numerical";
      Components c = new Components(cluster, dir, model, s.steps());
      List<String> learnerArgs = c.learner();
      learnerArgs.addAll(List.of("--inject-numerical-faults", Long.toString(EVERY)));
      NumericalFaults faults = new NumericalFaults(EVERY);
      long injected = faults.skippedBefore(s.steps());
      progress.accept(
          NAME + ": a NaN loss or an infinite gradient every " + EVERY + " step attempts");
      try (LodestoneProcess judge = c.start("judge", c.judge("j1"));
          LodestoneProcess sampler = c.start("sampler", c.sampler("chaos-s1"));
          LodestoneProcess learner = c.start("learner", learnerArgs)) {
        LearnerScenario.requireExit(learner, 0);
        boolean othersAlive = judge.isAlive() && sampler.isAlive();
        var json = Components.json(learner);
        long steps = json.get("step").asLong();
        long skipped = json.get("skippedSteps").asLong();
        long version = json.get("policyVersion").asLong();
        long nonFinite = nonFiniteWeights(cluster, model, version);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("faultEvery", EVERY);
        details.put("learnerSteps", steps);
        details.put("skippedSteps", skipped);
        details.put("lastVersion", version);
        details.put("nonFiniteWeightsInLastVersion", nonFinite);
        details.put("sha256", json.get("sha256").asText());
        details.put("componentsAlive", othersAlive);
        boolean passed = skipped == injected && steps == s.steps() && nonFinite == 0 && othersAlive;
        return new ScenarioResult(
            NAME,
            injected + " non-finite steps in " + (s.steps() + injected) + " attempts",
            injected,
            Math.min(skipped, injected),
            Math.max(0, injected - skipped),
            Math.max(0, skipped - injected),
            details,
            passed,
            "every fault skipped and counted, "
                + nonFinite
                + " non-finite weights in the last version ("
                + version
                + "), the learner reached step "
                + steps
                + (othersAlive ? "" : ", a component EXITED"));
      }
    }
  }

  /** The non-finite values in the weights of {@code version}, read as a sampler reads them. */
  private static long nonFiniteWeights(ClusterConfig cluster, String model, long version)
      throws InterruptedException {
    try (PolicyFeed feed =
        PolicyFeed.open(PolicyFeedConfig.of(cluster, model, "chaos", "numerical"))) {
      feed.assign(Duration.ofSeconds(30));
      PolicySnapshot[] last = new PolicySnapshot[1];
      TopicReader.await(
          "version " + version + " on the policy topic",
          Duration.ofSeconds(60),
          () -> {
            Optional<PolicySnapshot> next = feed.poll(Duration.ofMillis(500));
            next.ifPresent(v -> last[0] = v);
            return last[0] != null && last[0].version() >= version;
          });
      try (PolicyModel weights = PolicyModel.fromBytes(last[0].weights(), Engines.device("cpu"))) {
        long n = 0;
        for (Parameter p : weights.parameters().values()) {
          NDArray a = p.getArray();
          n += a.isNaN().logicalOr(a.isInfinite()).countNonzero().getLong();
        }
        return n;
      }
    }
  }
}
