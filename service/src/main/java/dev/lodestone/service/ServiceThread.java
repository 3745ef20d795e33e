package dev.lodestone.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The skeleton of a service that works on a thread of its own: the sampler, the learner, the
 * evaluator and the policy follower. It owns the {@link Lifecycle}, the thread, the start with a
 * timeout, the stop and the failure; a subclass writes only {@link #work()}:
 *
 * <pre>{@code
 * protected void work() throws Exception {
 *   var consumer = own(newConsumer());          // closed when the thread ends, newest first
 *   onStop(consumer::wakeup);                   // called by close() to end a blocking call
 *   ... set up, within startTimeLeft() ...
 *   if (!markRunning()) return;                 // start() returns now
 *   while (!stopRequested()) { ... }
 * }
 * }</pre>
 *
 * <p>An exception from {@link #work()} fails the service (state FAILED, the cause in {@link
 * #failure()}) unless a stop was requested, when it is the expected end of a blocking call. A
 * {@code work()} that returns by itself (a work limit reached) stops the service.
 */
public abstract class ServiceThread implements Service {
  private final Logger log;
  private final String name;
  private final Lifecycle lifecycle;
  private final Thread thread;
  private final List<Runnable> stopHooks = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> owned = new ArrayList<>(); // the service thread's own
  private volatile boolean stopRequested;
  private volatile long startDeadline;

  /**
   * @param name the service's name, for logs, errors and its thread
   */
  protected ServiceThread(String name) {
    this.name = Objects.requireNonNull(name, "name");
    this.log = LoggerFactory.getLogger(getClass());
    this.lifecycle = new Lifecycle(name);
    this.thread = new Thread(this::body, name);
    this.thread.setDaemon(true);
  }

  /** The service's work, on its own thread: set up, {@link #markRunning()}, loop. */
  protected abstract void work() throws Exception;

  /** A few words on what the service did, for its last log line (e.g. "after 12 groups"). */
  protected String summary() {
    return "";
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final ServiceState state() {
    return lifecycle.state();
  }

  @Override
  public final Optional<Throwable> failure() {
    return lifecycle.failure();
  }

  /**
   * Starts the thread and waits until {@link #work()} has called {@link #markRunning()}; also
   * returns normally when the work ran and already ended by itself.
   *
   * @throws ServiceException when the work fails while starting or is not running within {@code
   *     timeout}; the service is then closed
   * @throws IllegalStateException when it was started before
   */
  @Override
  public final void start(Duration timeout) {
    lifecycle.starting();
    startDeadline = System.nanoTime() + timeout.toNanos();
    thread.start();
    try {
      lifecycle.awaitStarted(timeout);
    } catch (ServiceException e) {
      close();
      throw e;
    }
  }

  /**
   * Waits until the service has stopped or failed, at most {@code timeout}.
   *
   * @return the state reached (not terminal when the wait timed out)
   */
  public final ServiceState awaitTermination(Duration timeout) {
    return lifecycle.awaitTerminated(timeout);
  }

  /** Requests a stop, runs the stop hooks, and waits for the thread to end. Idempotent. */
  @Override
  public void close() {
    stopRequested = true;
    boolean wasLive = lifecycle.stopping();
    for (Runnable hook : stopHooks) {
      hook.run();
    }
    if (thread.isAlive() && thread != Thread.currentThread()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else if (wasLive && !thread.isAlive() && lifecycle.state() == ServiceState.STOPPING) {
      lifecycle.stopped(); // never started
    }
  }

  /** Whether {@link #close()} was called. */
  protected final boolean stopRequested() {
    return stopRequested;
  }

  /**
   * Moves the service to RUNNING (start() returns).
   *
   * @return false when a stop was requested meanwhile: the work should return
   */
  protected final boolean markRunning() {
    return !stopRequested && lifecycle.running();
  }

  /** What is left of the start's timeout (zero once it passed). */
  protected final Duration startTimeLeft() {
    return Duration.ofNanos(Math.max(0, startDeadline - System.nanoTime()));
  }

  /** Closes {@code resource} when the work ends, after everything owned later. */
  protected final <T extends AutoCloseable> T own(T resource) {
    owned.add(0, resource);
    return resource;
  }

  /** Runs {@code hook} (from the closing thread) when a stop is requested, e.g. a wakeup. */
  protected final void onStop(Runnable hook) {
    stopHooks.add(hook);
    if (stopRequested) {
      hook.run();
    }
  }

  private void body() {
    try {
      work();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failUnlessStopping(e);
    } catch (Exception | Error e) {
      failUnlessStopping(e);
    } finally {
      for (AutoCloseable r : owned) {
        try {
          r.close();
        } catch (Exception e) {
          log.warn("{}: closing {} failed: {}", name, r, e.toString());
        }
      }
      owned.clear();
      lifecycle.stopped();
      log.info("{} {} {}", name, lifecycle.state(), summary());
    }
  }

  private void failUnlessStopping(Throwable e) {
    if (stopRequested) {
      log.debug("{} stopped with {}", name, e.toString());
    } else {
      log.error("{} failed: {}", name, e.toString(), e);
      lifecycle.failed(e);
    }
  }
}
