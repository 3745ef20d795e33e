package dev.lodestone.sampler.internal;

/**
 * The count-based back-pressure rule of the samplers (docs/pipeline.md, after AReaL's staleness
 * control): a sampler may publish a new group only while
 *
 * <pre>
 *   producedGroups - consumedGroups &lt; maxStaleness * groupsPerVersion
 * </pre>
 *
 * where {@code producedGroups} is the sum of the end offsets of {@code samples} (the samplers'
 * producers are idempotent and not transactional, so offsets count records) and {@code
 * consumedGroups}, {@code groupsPerVersion} come from the newest POLICY version. The learner needs
 * {@code groupsPerVersion} groups to publish its next version and the bound admits at least that
 * many, so the pipeline cannot deadlock unless groups are lost. A record of {@code samples} that is
 * not a group the learner will consume (garbage, a repeat, a group the join gives up on) leaves the
 * count when the label join dead-letters it: the sampler subtracts those letters ({@link
 * DroppedGroups}) from {@code producedGroups}.
 *
 * <p>A version that does not state its {@code groupsPerVersion} (0) gives no bound: nothing holds
 * the samplers back. In-flight counts below zero (a recreated {@code samples} topic) count as 0.
 */
public final class BackPressure {
  private BackPressure() {}

  /** The allowance when there is no bound. */
  public static final long UNBOUNDED = Long.MAX_VALUE;

  /** {@code maxStaleness * groupsPerVersion}, or {@link #UNBOUNDED} when groupsPerVersion is 0. */
  public static long bound(int maxStaleness, int groupsPerVersion) {
    if (maxStaleness < 1) {
      throw new IllegalArgumentException("maxStaleness must be at least 1, got " + maxStaleness);
    }
    if (groupsPerVersion < 0) {
      throw new IllegalArgumentException("groupsPerVersion must be >= 0, got " + groupsPerVersion);
    }
    return groupsPerVersion == 0 ? UNBOUNDED : (long) maxStaleness * groupsPerVersion;
  }

  /** Groups published and not yet consumed by the learner: {@code max(0, produced - consumed)}. */
  public static long inFlight(long producedGroups, long consumedGroups) {
    return Math.max(0, producedGroups - consumedGroups);
  }

  /**
   * How many more groups may be published now: {@code bound - inFlight}, at least 0; {@link
   * #UNBOUNDED} without a bound. Publishing is allowed while this is positive.
   */
  public static long allowance(
      long producedGroups, long consumedGroups, int maxStaleness, int groupsPerVersion) {
    long bound = bound(maxStaleness, groupsPerVersion);
    if (bound == UNBOUNDED) {
      return UNBOUNDED;
    }
    return Math.max(0, bound - inFlight(producedGroups, consumedGroups));
  }
}
