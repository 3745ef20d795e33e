package dev.lodestone.schemas.feed;

import dev.lodestone.schemas.lifecycle.Lifecycle;
import dev.lodestone.schemas.lifecycle.Service;
import dev.lodestone.schemas.lifecycle.ServiceException;
import dev.lodestone.schemas.lifecycle.ServiceState;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
public final class PolicyFollower implements Service {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyFollower.class);

  /** How long one poll of the feed waits for records. */
  public static final Duration POLL_INTERVAL = Duration.ofMillis(200);

  private final String name;
  private final Supplier<PolicyFeed> feedFactory;
  private final PolicyFeedListener listener;
  private final Lifecycle lifecycle;
  private final Object feedLock = new Object();
  private volatile boolean stopRequested;
  private volatile Duration assignTimeout = Duration.ofSeconds(30);
  private PolicyFeed feed; // guarded by feedLock
  private Thread thread;

  /**
   * A follower that opens its feed with {@code feedFactory} on its own thread.
   *
   * @param name the follower's name, for logs and its thread
   * @param feedFactory makes the feed (called once, on the follower's thread)
   * @param listener receives the versions, on the follower's thread
   */
  public PolicyFollower(
      String name, Supplier<PolicyFeed> feedFactory, PolicyFeedListener listener) {
    this.name = Objects.requireNonNull(name, "name");
    this.feedFactory = Objects.requireNonNull(feedFactory, "feedFactory");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.lifecycle = new Lifecycle(name);
  }

  /** A follower of the configured model with its own Kafka clients. */
  public PolicyFollower(PolicyFeedConfig config, PolicyFeedListener listener) {
    this(
        config.component() + "-" + config.instanceId() + "-policy-follower",
        () -> PolicyFeed.open(config),
        listener);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ServiceState state() {
    return lifecycle.state();
  }

  @Override
  public Optional<Throwable> failure() {
    return lifecycle.failure();
  }

  @Override
  public void start(Duration timeout) {
    lifecycle.starting();
    assignTimeout = timeout;
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
    try {
      lifecycle.awaitRunning(timeout);
    } catch (ServiceException e) {
      close();
      throw e;
    }
  }

  private void run() {
    PolicyFeed opened = null;
    try {
      opened = feedFactory.get();
      synchronized (feedLock) {
        feed = opened;
      }
      if (stopRequested) {
        return;
      }
      opened.assign(assignTimeout);
      if (!lifecycle.running()) {
        return;
      }
      long magnetDelivered = Long.MIN_VALUE;
      while (!stopRequested) {
        Optional<PolicySnapshot> policy = opened.poll(POLL_INTERVAL);
        Optional<PolicyHeader> magnet = opened.latestMagnet();
        if (magnet.isPresent() && magnet.get().version() > magnetDelivered) {
          magnetDelivered = magnet.get().version();
          listener.onMagnet(magnet.get());
        }
        policy.ifPresent(listener::onPolicy);
      }
    } catch (WakeupException e) {
      if (!stopRequested) {
        lifecycle.failed(e);
      }
    } catch (RuntimeException | Error e) {
      if (!stopRequested) {
        LOG.error("{} failed: {}", name, e.toString(), e);
        lifecycle.failed(e);
      }
    } finally {
      if (opened != null) {
        opened.close();
      }
      lifecycle.stopped();
    }
  }

  /**
   * Waits until the follower has stopped or failed, at most {@code timeout}.
   *
   * @return the state reached (not terminal when the wait timed out)
   */
  public ServiceState awaitTermination(Duration timeout) {
    return lifecycle.awaitTerminated(timeout);
  }

  /** The feed's counters (read without synchronisation: for monitoring only). */
  public Optional<FeedStats> stats() {
    synchronized (feedLock) {
      return feed == null ? Optional.empty() : Optional.of(feed.stats());
    }
  }

  @Override
  public void close() {
    stopRequested = true;
    boolean wasLive = lifecycle.stopping();
    synchronized (feedLock) {
      if (feed != null) {
        feed.wakeup();
      }
    }
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (wasLive && t == null) {
      lifecycle.stopped();
    }
  }
}
