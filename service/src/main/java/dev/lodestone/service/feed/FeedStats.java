package dev.lodestone.service.feed;

/**
 * Counters of a {@link PolicyFeed}, cumulative since it was opened.
 *
 * @param recordsRead records read from the policy topic (of any model)
 * @param policyVersionsAssembled complete, verified POLICY versions of the feed's model
 * @param magnetVersionsAssembled complete, verified MAGNET versions of the feed's model
 * @param policyVersionsDelivered POLICY versions handed to the caller
 * @param policyVersionsSkipped complete POLICY versions never handed out because a newer one
 *     completed first (skip to the newest)
 * @param incompleteVersionsDropped versions whose assembly was abandoned because a chunk of a newer
 *     version arrived before they were complete
 * @param versionsRejected versions dropped because one of their chunks was bad
 * @param deadLetters records sent to the dead letters
 * @param staleChunks chunks of versions older than (or equal to) one already complete, ignored
 *     (left behind by compaction, or a rejected version's remaining chunks)
 * @param otherModelRecords records of other models, ignored
 */
public record FeedStats(
    long recordsRead,
    long policyVersionsAssembled,
    long magnetVersionsAssembled,
    long policyVersionsDelivered,
    long policyVersionsSkipped,
    long incompleteVersionsDropped,
    long versionsRejected,
    long deadLetters,
    long staleChunks,
    long otherModelRecords) {}
