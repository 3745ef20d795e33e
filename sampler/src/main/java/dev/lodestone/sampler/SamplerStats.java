package dev.lodestone.sampler;

/**
 * A snapshot of a sampler's counters and state (the values of its metric events).
 *
 * @param samplerId the sampler
 * @param groupsPublished groups published (acknowledged by the broker)
 * @param tokensGenerated response tokens in those groups
 * @param paused whether the sampler is held back by back-pressure now
 * @param pausedSeconds time spent paused in all
 * @param inFlight the last computed {@code producedGroups - consumedGroups} (at least 0)
 * @param inFlightBound {@code maxStaleness * groupsPerVersion}, or -1 when the newest version does
 *     not say its groupsPerVersion (then nothing holds the sampler back)
 * @param policyVersion the POLICY version being sampled from, or -1 before the first one
 * @param magnetVersion the magnet version stamped on the groups, or -1 before the first policy
 * @param swaps how many times the sampler changed to a newer version (the first load is not one)
 * @param badVersions versions whose weights could not be loaded (skipped)
 * @param promptsSkipped topic prompts of another task
 * @param promptsRejected topic prompts sent to the dead letters
 */
public record SamplerStats(
    String samplerId,
    long groupsPublished,
    long tokensGenerated,
    boolean paused,
    double pausedSeconds,
    long inFlight,
    long inFlightBound,
    long policyVersion,
    long magnetVersion,
    long swaps,
    long badVersions,
    long promptsSkipped,
    long promptsRejected) {}
