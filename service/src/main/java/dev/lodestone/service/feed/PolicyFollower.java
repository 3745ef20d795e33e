package dev.lodestone.service.feed;

import dev.lodestone.service.ServiceState;
import dev.lodestone.service.ServiceThread;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link PolicyFeed} on its own thread, calling a {@link PolicyFeedListener} with each newer
 * MAGNET and POLICY version (skipping to the newest when several are waiting).
 *
 * <p>Lifecycle: {@link #start(Duration)} opens the feed on the follower's thread, assigns the
 * policy topic and returns once the follower is {@link ServiceState#RUNNING}, i.e. reading; it
 * fails when the topic does not exist. A listener that throws fails the follower ({@link
 * ServiceState#FAILED}, cause in {@link #failure()}). {@link #close()} wakes the feed up, waits for
 * the thread (and a listener call in progress) to finish and closes the feed.
 */
public final class PolicyFollower extends ServiceThread {

  /** How long one poll of the feed waits for records. */
  public static final Duration POLL_INTERVAL = Duration.ofMillis(200);

  private final Supplier<PolicyFeed> feedFactory;
  private final PolicyFeedListener listener;
  private final Object feedLock = new Object();
  private PolicyFeed feed; // guarded by feedLock

  /**
   * A follower that opens its feed with {@code feedFactory} on its own thread.
   *
   * @param name the follower's name, for logs and its thread
   * @param feedFactory makes the feed (called once, on the follower's thread)
   * @param listener receives the versions, on the follower's thread
   */
  public PolicyFollower(
      String name, Supplier<PolicyFeed> feedFactory, PolicyFeedListener listener) {
    super(name);
    this.feedFactory = Objects.requireNonNull(feedFactory, "feedFactory");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** A follower of the configured model with its own Kafka clients. */
  public PolicyFollower(PolicyFeedConfig config, PolicyFeedListener listener) {
    this(
        config.component() + "-" + config.instanceId() + "-policy-follower",
        () -> PolicyFeed.open(config),
        listener);
  }

  @Override
  protected void work() {
    PolicyFeed opened = own(feedFactory.get());
    synchronized (feedLock) {
      feed = opened;
    }
    onStop(opened::wakeup);
    if (stopRequested()) {
      return;
    }
    opened.assign(startTimeLeft());
    if (!markRunning()) {
      return;
    }
    long magnetDelivered = Long.MIN_VALUE;
    while (!stopRequested()) {
      Optional<PolicySnapshot> policy = opened.poll(POLL_INTERVAL);
      Optional<PolicyHeader> magnet = opened.latestMagnet();
      if (magnet.isPresent() && magnet.get().version() > magnetDelivered) {
        magnetDelivered = magnet.get().version();
        listener.onMagnet(magnet.get());
      }
      policy.ifPresent(listener::onPolicy);
    }
  }

  /** The feed's counters (read without synchronisation: for monitoring only). */
  public Optional<FeedStats> stats() {
    synchronized (feedLock) {
      return feed == null ? Optional.empty() : Optional.of(feed.stats());
    }
  }
}
