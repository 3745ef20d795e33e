package dev.lodestone.learner;

/**
 * A snapshot of a {@link Learner}'s progress.
 *
 * @param step Adam steps applied (skipped steps not counted)
 * @param policyVersion the last published POLICY version
 * @param magnetVersion the last published MAGNET version
 * @param consumedGroups labelled groups consumed in all (trained on, or rejected as dead letters)
 * @param skippedSteps steps skipped because the loss or a gradient was not finite
 * @param meanStalenessVersions mean over consumed groups of (policy version when consumed) - (the
 *     group's policy version)
 * @param groupsPerSecond labelled groups trained on per second since the learner started running
 * @param lastLoss the total loss of the last step, NaN before the first
 * @param policySha256 the lower-case hex SHA-256 of the last published POLICY version's weights,
 *     null before version 0: two runs with equal values published equal weights
 * @param budgetSteps the step budget the learning rate cools down to (0: none, or not yet fixed by
 *     a time limit): a replay of the same input with {@code --steps} of this value follows the same
 *     schedule
 */
public record LearnerStats(
    long step,
    long policyVersion,
    long magnetVersion,
    long consumedGroups,
    long skippedSteps,
    double meanStalenessVersions,
    double groupsPerSecond,
    double lastLoss,
    String policySha256,
    long budgetSteps) {}
