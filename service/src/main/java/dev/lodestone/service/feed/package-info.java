/**
 * Following the {@code policy} topic: {@link dev.lodestone.service.feed.PolicyFeed} reads a model's
 * policy and magnet versions (read_committed, from the beginning of the compacted topic), assembles
 * and verifies their chunks, sends bad chunks to the dead letters and drops their versions whole,
 * and hands out the newest complete POLICY version ({@link
 * dev.lodestone.service.feed.PolicySnapshot}: weights and {@link
 * dev.lodestone.service.feed.PolicyHeader}), skipping older ones that were waiting.
 *
 * <p>Two ways to use it:
 *
 * <pre>{@code
 * // on a service thread
 * try (PolicyFeed feed = PolicyFeed.open(PolicyFeedConfig.of(cluster, "m", "evaluator", id))) {
 *   while (running) {
 *     feed.poll(Duration.ofMillis(200)).ifPresent(snapshot -> use(snapshot));
 *   }
 * }
 *
 * // with a listener, on the follower's own thread
 * PolicyFollower follower = new PolicyFollower(config, snapshot -> load(snapshot.weights()));
 * follower.start(Duration.ofSeconds(30));
 * ...
 * follower.close();
 * }</pre>
 *
 * <p>Samplers use the header's {@code consumedGroups} and {@code groupsPerVersion} for
 * back-pressure; the evaluator keeps the first version as its reference.
 */
package dev.lodestone.service.feed;
