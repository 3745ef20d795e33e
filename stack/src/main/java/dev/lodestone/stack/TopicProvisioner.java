package dev.lodestone.stack;

import dev.lodestone.schemas.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the catalogue's topics on a cluster, any cluster: the local stack uses it, and so do the
 * components started against {@code --bootstrap}.
 *
 * <p>Missing topics are created with the catalogue's partitions, cleanup policy and configs, and
 * the cluster's default replication factor. Existing topics are left as they are, but checked:
 * fewer partitions than the catalogue needs, or another cleanup policy, fails with a {@link
 * TopicLayoutException} naming every mismatch. More partitions, or other topic configs, are logged
 * as warnings. The call returns once every topic has a leader for each partition.
 */
public final class TopicProvisioner {
  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

  private static final Duration POLL_BACKOFF = Duration.ofMillis(50);

  /**
   * What provisioning did.
   *
   * @param created the topics created now, in catalogue order
   * @param existing the topics that were already there and match the catalogue
   */
  public record Result(List<String> created, List<String> existing) {
    public Result {
      created = List.copyOf(created);
      existing = List.copyOf(existing);
    }
  }

  private final Admin admin;

  /** A provisioner that works through {@code admin}; the caller owns and closes the client. */
  public TopicProvisioner(Admin admin) {
    this.admin = Objects.requireNonNull(admin, "admin");
  }

  /**
   * Makes sure every topic of {@code specs} exists with a layout compatible with its spec.
   *
   * @param specs the topics, usually {@code Topics.ALL}
   * @param timeout the most the whole call may take
   * @return which topics were created and which were already there
   * @throws TopicLayoutException if an existing topic has fewer partitions or another cleanup
   *     policy than its spec
   * @throws TopicProvisioningException if the cluster does not answer in time or refuses
   */
  public Result provision(Collection<? extends TopicSpec<?>> specs, Duration timeout) {
    Objects.requireNonNull(specs, "specs");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    Map<String, TopicSpec<?>> byName = new LinkedHashMap<>();
    for (TopicSpec<?> spec : specs) {
      if (byName.put(spec.name(), spec) != null) {
        throw new IllegalArgumentException("topic " + spec.name() + " is listed twice");
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();

    Set<String> present =
        retrying(
            () ->
                admin.listTopics(new ListTopicsOptions().timeoutMs(remainingMs(deadline))).names(),
            deadline,
            "list topics");
    List<NewTopic> toCreate = new ArrayList<>();
    List<String> created = new ArrayList<>();
    List<String> existing = new ArrayList<>();
    for (TopicSpec<?> spec : byName.values()) {
      if (present.contains(spec.name())) {
        existing.add(spec.name());
      } else {
        toCreate.add(
            new NewTopic(spec.name(), Optional.of(spec.partitions()), Optional.empty())
                .configs(spec.topicConfigs()));
      }
    }

    if (!toCreate.isEmpty()) {
      var results =
          admin
              .createTopics(toCreate, new CreateTopicsOptions().timeoutMs(remainingMs(deadline)))
              .values();
      for (NewTopic topic : toCreate) {
        try {
          await(results.get(topic.name()), deadline, "create topic " + topic.name());
          created.add(topic.name());
        } catch (TopicProvisioningException e) {
          if (e.getCause() instanceof TopicExistsException) {
            // Created by someone else since we listed: check it like any existing topic.
            existing.add(topic.name());
          } else {
            throw e;
          }
        }
      }
    }

    Map<String, TopicDescription> descriptions = awaitLeaders(byName.keySet(), deadline);
    checkExisting(existing, descriptions, byName, deadline);
    if (!created.isEmpty()) {
      log.info("Created topics {}", created);
    }
    return new Result(inOrder(byName.keySet(), created), inOrder(byName.keySet(), existing));
  }

  private void checkExisting(
      List<String> existing,
      Map<String, TopicDescription> descriptions,
      Map<String, TopicSpec<?>> byName,
      long deadline) {
    if (existing.isEmpty()) {
      return;
    }
    List<ConfigResource> resources =
        existing.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> configs =
        retrying(
            () ->
                admin
                    .describeConfigs(
                        resources, new DescribeConfigsOptions().timeoutMs(remainingMs(deadline)))
                    .all(),
            deadline,
            "describe the configs of topics " + existing);

    List<String> problems = new ArrayList<>();
    for (String name : inOrder(byName.keySet(), existing)) {
      TopicSpec<?> spec = byName.get(name);
      int partitions = descriptions.get(name).partitions().size();
      if (partitions < spec.partitions()) {
        problems.add(
            "topic " + name + " has " + partitions + " partitions, needs " + spec.partitions());
      } else if (partitions > spec.partitions()) {
        log.warn(
            "Topic {} has {} partitions, the catalogue provisions {}",
            name,
            partitions,
            spec.partitions());
      }
      Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name));
      Set<String> cleanup = cleanupPolicies(config);
      if (!cleanup.equals(Set.of(spec.cleanup().kafkaName()))) {
        problems.add(
            "topic "
                + name
                + " has cleanup.policy="
                + String.join(",", cleanup)
                + ", needs "
                + spec.cleanup().kafkaName());
      }
      for (var wanted : spec.configs().entrySet()) {
        ConfigEntry actual = config == null ? null : config.get(wanted.getKey());
        String actualValue = actual == null ? null : actual.value();
        if (!wanted.getValue().equals(actualValue)) {
          log.warn(
              "Topic {} has {}={}, the catalogue provisions {}",
              name,
              wanted.getKey(),
              actualValue,
              wanted.getValue());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new TopicLayoutException(problems);
    }
  }

  private static Set<String> cleanupPolicies(Config config) {
    ConfigEntry entry = config == null ? null : config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
    if (entry == null || entry.value() == null) {
      return Set.of();
    }
    return Arrays.stream(entry.value().split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Describes {@code names} until every partition has a leader: a topic just created (here or by
   * another client) takes a moment to reach every broker's metadata.
   */
  private Map<String, TopicDescription> awaitLeaders(Collection<String> names, long deadline) {
    while (true) {
      Map<String, TopicDescription> descriptions =
          retrying(
              () ->
                  admin
                      .describeTopics(
                          names, new DescribeTopicsOptions().timeoutMs(remainingMs(deadline)))
                      .allTopicNames(),
              deadline,
              "describe topics " + names);
      List<String> leaderless =
          descriptions.values().stream()
              .filter(d -> d.partitions().stream().anyMatch(p -> p.leader() == null))
              .map(TopicDescription::name)
              .toList();
      if (leaderless.isEmpty()) {
        return descriptions;
      }
      if (System.nanoTime() >= deadline) {
        throw new TopicProvisioningException(
            "timed out waiting for leaders of topics " + leaderless);
      }
      backOff("waiting for leaders of topics " + leaderless);
    }
  }

  /** Runs {@code call} again after a short back-off while it fails with a retriable error. */
  private static <T> T retrying(Supplier<KafkaFuture<T>> call, long deadline, String what) {
    while (true) {
      try {
        return await(call.get(), deadline, what);
      } catch (TopicProvisioningException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() >= deadline) {
          throw e;
        }
        backOff(what);
      }
    }
  }

  private static void backOff(String what) {
    try {
      Thread.sleep(POLL_BACKOFF.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopicProvisioningException("interrupted trying to " + what, e);
    }
  }

  private static <T> T await(KafkaFuture<T> future, long deadline, String what) {
    try {
      return future.get(remainingMs(deadline), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new TopicProvisioningException(
          "cannot " + what + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage(),
          cause);
    } catch (TimeoutException e) {
      throw new TopicProvisioningException("timed out trying to " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopicProvisioningException("interrupted trying to " + what, e);
    }
  }

  private static int remainingMs(long deadline) {
    long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
  }

  private static List<String> inOrder(Collection<String> order, Collection<String> subset) {
    return order.stream().filter(subset::contains).toList();
  }
}
