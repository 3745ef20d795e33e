package dev.lodestone.judge.streams.internal;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.service.ServiceException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Checks, before a Streams application starts, that its topics exist and fit together. */
public final class TopicCheck {
  private TopicCheck() {}

  /**
   * The partition counts of the topics.
   *
   * @throws ServiceException naming the missing topics, or when the cluster does not answer
   */
  public static Map<String, Integer> partitionCounts(
      Admin admin, List<TopicSpec<?>> topics, Duration timeout) {
    List<String> names = topics.stream().map(TopicSpec::name).toList();
    Map<String, TopicDescription> found;
    try {
      found =
          admin
              .describeTopics(names)
              .allTopicNames()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        List<String> missing = names.stream().filter(n -> !exists(admin, n, timeout)).toList();
        throw new ServiceException(
            "missing topics "
                + missing
                + " (needs "
                + names
                + "); create the catalogue's topics first, e.g. with the local stack",
            e.getCause());
      }
      throw new ServiceException("cannot describe topics " + names + ": " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new ServiceException(
          "the cluster did not describe topics " + names + " within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServiceException("interrupted while describing topics " + names, e);
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String name : names) {
      counts.put(name, found.get(name).partitions().size());
    }
    return counts;
  }

  /**
   * Fails unless the two co-partitioned topics have the same number of partitions.
   *
   * @throws ServiceException naming both topics and counts
   */
  public static void requireCoPartitioned(Map<String, Integer> counts, String a, String b) {
    int pa = counts.get(a);
    int pb = counts.get(b);
    if (pa != pb) {
      throw new ServiceException(
          "topics "
              + a
              + " ("
              + pa
              + " partitions) and "
              + b
              + " ("
              + pb
              + " partitions) must have the same number of partitions: the label join reads"
              + " partition n of both in one task, so labels would miss their groups");
    }
  }

  private static boolean exists(Admin admin, String name, Duration timeout) {
    try {
      admin
          .describeTopics(List.of(name))
          .allTopicNames()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      return !(e.getCause() instanceof UnknownTopicOrPartitionException);
    } catch (TimeoutException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
