package dev.lodestone.service.feed;

/**
 * Receives what a {@link PolicyFollower} reads, on the follower's thread. When a poll completes
 * both a magnet and a policy version, {@link #onMagnet} is called first, so that a listener sees
 * the magnet in force before the policy that goes with it.
 */
public interface PolicyFeedListener {

  /**
   * A POLICY version newer than every one delivered before (older versions that were waiting were
   * skipped). A runtime exception thrown here fails the follower.
   */
  void onPolicy(PolicySnapshot snapshot);

  /** A MAGNET version newer than every one delivered before. The default ignores it. */
  default void onMagnet(PolicyHeader magnet) {}
}
