package dev.lodestone.sampler.internal;

import ai.djl.Device;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.WeightsFormatException;
import dev.lodestone.service.feed.PolicyFeedListener;
import dev.lodestone.service.feed.PolicyHeader;
import dev.lodestone.service.feed.PolicySnapshot;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hand-over of policy versions from the follower's thread to the sampling thread. The follower
 * loads each version's weights into a model ({@link #onPolicy}) off the sampling thread and leaves
 * it as the pending one (an older pending model that was never taken is closed); the sampling
 * thread takes the pending model between batches ({@link #takePending()}), with the newest header
 * seen, so a version's back-pressure counts never let a batch be drawn by an older model. A version
 * whose weights cannot be loaded is counted and skipped; its header still counts.
 */
public final class VersionSwap implements PolicyFeedListener {
  private static final Logger LOG = LoggerFactory.getLogger(VersionSwap.class);

  /**
   * A loaded version: its header, its model and the magnet version its groups are stamped with.
   *
   * @param header the version's header
   * @param model its weights, loaded
   * @param magnet the magnet version current when the version arrived: the newest MAGNET version
   *     read up to and with it, or the version's own magnet version if that is newer
   * @param loadMillis how long loading took
   */
  public record Loaded(PolicyHeader header, PolicyModel model, long magnet, long loadMillis) {}

  /**
   * What the sampling thread takes.
   *
   * @param loaded a newly loaded version, or null when none is pending
   * @param header the newest header seen, or null before the first
   */
  public record Taken(Loaded loaded, PolicyHeader header) {}

  private final String name;
  private final Device device;
  private final AtomicLong badVersions = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // guarded by lock
  private Loaded pending;
  private PolicyHeader newestHeader;
  private long newestMagnet = -1;
  private long changes;
  // the sampling thread's
  private long seenChanges;

  /**
   * @param name the sampler's name, for logs
   * @param device where the models are loaded
   */
  public VersionSwap(String name, Device device) {
    this.name = name;
    this.device = device;
  }

  @Override
  public void onMagnet(PolicyHeader magnet) {
    lock.lock();
    try {
      newestMagnet = Math.max(newestMagnet, magnet.version());
      changes++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onPolicy(PolicySnapshot snapshot) {
    long t0 = System.nanoTime();
    PolicyModel model = null;
    try {
      model = PolicyModel.fromBytes(snapshot.weights(), device);
    } catch (WeightsFormatException e) {
      badVersions.incrementAndGet();
      LOG.error(
          "{}: cannot load {}, skipping it: {}",
          name,
          snapshot.header().describe(),
          e.getMessage());
    }
    long loadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    Loaded replaced = null;
    lock.lock();
    try {
      newestHeader = snapshot.header(); // its back-pressure counts hold even if unloadable
      if (model != null) {
        replaced = pending;
        long magnet = Math.max(snapshot.header().magnetVersion(), newestMagnet);
        pending = new Loaded(snapshot.header(), model, magnet, loadMillis);
      }
      changes++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (replaced != null) {
      replaced.model().close(); // never taken by the sampling thread
    }
  }

  /** Takes the pending version, if any, with the newest header seen. */
  public Taken takePending() {
    lock.lock();
    try {
      Loaded next = pending;
      pending = null;
      return new Taken(next, newestHeader);
    } finally {
      lock.unlock();
    }
  }

  /** Wakes a waiting sampling thread (a stop, for instance). */
  public void signal() {
    lock.lock();
    try {
      changes++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** On the sampling thread: waits until something changes, {@code stop} holds or time passes. */
  public void awaitChange(Duration timeout, BooleanSupplier stop) throws InterruptedException {
    lock.lock();
    try {
      long left = timeout.toNanos();
      while (changes == seenChanges && !stop.getAsBoolean() && left > 0) {
        left = changed.awaitNanos(left);
      }
      seenChanges = changes;
    } finally {
      lock.unlock();
    }
  }

  /** Closes the pending model, if one was never taken. */
  public void closePending() {
    Loaded waiting = takePending().loaded();
    if (waiting != null) {
      waiting.model().close();
    }
  }

  /** Versions whose weights could not be loaded. */
  public long badVersions() {
    return badVersions.get();
  }
}
