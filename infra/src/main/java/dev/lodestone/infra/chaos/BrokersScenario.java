package dev.lodestone.infra.chaos;

import dev.lodestone.schemas.kafka.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Scenario {@code brokers}: the pipeline of processes on a three-node stack (3 replicas,
 * min.insync.replicas 2; nodes 2 and 3 in processes of their own, node 1 in the benchmark's); one
 * node at a time is taken down for 20 s, {@code kills} times, in turn by SIGKILL (then started
 * again), SIGSTOP (then SIGCONT: a stall such as a partition or a long pause) and, for node 1, a
 * shutdown without a controlled shutdown. No component may exit, the learner must go on ({@code
 * steps} steps after the last stop), and every sample group must be labelled exactly once.
 */
final class BrokersScenario {
  static final String NAME = "brokers";
  private static final Duration DOWN = Duration.ofSeconds(20);
  private static final List<ChaosStack.NodeFault> FAULTS =
      List.of(
          ChaosStack.NodeFault.SIGKILL,
          ChaosStack.NodeFault.SIGSTOP,
          ChaosStack.NodeFault.SHUTDOWN);

  private BrokersScenario() {}

  static ScenarioResult run(ChaosSettings s, Path dir, Consumer<String> progress) throws Exception {
    try (ChaosStack stack = new ChaosStack(dir.resolve("stack"), 3)) {
      ClusterConfig cluster = stack.cluster();
      Components c = new Components(cluster, dir, "chaos-brokers", s.steps());
      try (LodestoneProcess judge = c.start("judge", c.judge("j1"));
          LodestoneProcess sampler = c.start("sampler", c.sampler("chaos-s1"));
          LodestoneProcess learner = c.start("learner", c.openLearner());
          PolicyWatcher policy = new PolicyWatcher(cluster, "chaos-brokers")) {
        // The learner has no step budget here: it trains through every stop and is stopped at
        // the end, so that the stops never outlast the run.
        List<String> stops = new ArrayList<>();
        long reached = 0;
        for (int k = 0; k < s.kills(); k++) {
          long at = reached + 10;
          TopicReader.await(
              "the learner reaches step " + at,
              Duration.ofMinutes(5),
              () -> policy.maxStep() >= at || !learner.isAlive());
          if (!learner.isAlive()) {
            break;
          }
          // SIGKILL of node 2, SIGSTOP of node 3, a shutdown of node 1, and round again.
          ChaosStack.NodeFault fault = FAULTS.get(k % FAULTS.size());
          int node = fault == ChaosStack.NodeFault.SHUTDOWN ? 1 : 2 + k % 2;
          progress.accept(
              NAME + ": node " + node + " " + fault + ", down for " + DOWN.toSeconds() + " s");
          stops.add("node " + node + " " + fault + " at step " + policy.maxStep());
          stack.brokerDown(node, fault, DOWN);
          reached = policy.maxStep();
        }
        long last = reached;
        TopicReader.await(
            s.steps() + " steps after the last stop",
            Duration.ofMinutes(5),
            () -> policy.maxStep() >= last + s.steps() || !learner.isAlive());
        boolean othersAlive = judge.isAlive() && sampler.isAlive() && learner.isAlive();
        long steps = policy.maxStep();
        learner.stop(Duration.ofSeconds(60));
        sampler.stop(Duration.ofSeconds(60));
        TopicReader reader = new TopicReader(cluster);
        LogCheck.awaitLabelled(reader);
        LogCheck log = LogCheck.read(reader);
        Map<String, Object> details = new LinkedHashMap<>(log.details());
        details.put("stops", stops.toString());
        details.put("learnerSteps", steps);
        details.put("componentsAlive", othersAlive);
        return new ScenarioResult(
            NAME,
            stops.size() + " x one of 3 broker nodes down " + DOWN.toSeconds() + " s",
            log.uniqueSamples(),
            log.uniqueLabeled() - log.foreign(),
            log.missing(),
            log.duplicated(),
            details,
            log.clean() && othersAlive && steps >= last + s.steps() && stops.size() == s.kills(),
            stops.size()
                + " of "
                + s.kills()
                + " stops done; "
                + (othersAlive ? "no component exited" : "a component EXITED"));
      }
    }
  }
}
