package dev.lodestone.service;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A thread-safe holder of a service's state that enforces the transitions of {@link ServiceState}
 * and lets threads wait for a state without sleeping to guess.
 */
public final class Lifecycle {
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private ServiceState state = ServiceState.CREATED;
  private Throwable failure;
  private boolean wasRunning;

  public Lifecycle(String name) {
    this.name = name;
  }

  /** The current state. */
  public ServiceState state() {
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  /** The cause of a failure, once {@link ServiceState#FAILED}. */
  public Optional<Throwable> failure() {
    lock.lock();
    try {
      return Optional.ofNullable(failure);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves from {@code CREATED} to {@code STARTING}.
   *
   * @throws IllegalStateException if the service was started before
   */
  public void starting() {
    lock.lock();
    try {
      if (state != ServiceState.CREATED) {
        throw new IllegalStateException(name + " cannot start: it is " + state);
      }
      set(ServiceState.STARTING);
    } finally {
      lock.unlock();
    }
  }

  /** Moves from {@code STARTING} to {@code RUNNING}; returns false if it is already stopping. */
  public boolean running() {
    lock.lock();
    try {
      wasRunning = move(EnumSet.of(ServiceState.STARTING), ServiceState.RUNNING);
      return wasRunning;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves to {@code STOPPING} from any live state; returns false when the service is already
   * stopping or stopped (so that close is idempotent).
   */
  public boolean stopping() {
    return move(
        EnumSet.of(ServiceState.CREATED, ServiceState.STARTING, ServiceState.RUNNING),
        ServiceState.STOPPING);
  }

  /** Moves to {@code STOPPED} unless the service has failed. */
  public void stopped() {
    move(
        EnumSet.of(
            ServiceState.CREATED,
            ServiceState.STARTING,
            ServiceState.RUNNING,
            ServiceState.STOPPING),
        ServiceState.STOPPED);
  }

  /** Records a failure and moves to {@code FAILED} (the first failure wins). */
  public void failed(Throwable cause) {
    lock.lock();
    try {
      if (state != ServiceState.FAILED) {
        failure = cause;
        set(ServiceState.FAILED);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the service is running.
   *
   * @throws ServiceException if it failed, stopped, or is not running within {@code timeout}
   */
  public void awaitRunning(Duration timeout) {
    ServiceState reached =
        await(EnumSet.of(ServiceState.RUNNING, ServiceState.STOPPED, ServiceState.FAILED), timeout);
    switch (reached) {
      case RUNNING -> {}
      case FAILED ->
          throw new ServiceException(
              name + " failed while starting: " + describe(failure), failure);
      case STOPPED, STOPPING -> throw new ServiceException(name + " stopped while starting");
      default ->
          throw new ServiceException(
              name + " is not running after " + timeout.toMillis() + " ms (state " + reached + ")");
    }
  }

  /**
   * Waits until the service is running, or has run and already stopped by itself (a service with a
   * work limit that it reached while its starter was still waiting).
   *
   * @throws ServiceException if it failed, stopped without having run, or is not running within
   *     {@code timeout}
   */
  public void awaitStarted(Duration timeout) {
    try {
      awaitRunning(timeout);
    } catch (ServiceException e) {
      lock.lock();
      try {
        if (!(wasRunning && state == ServiceState.STOPPED)) {
          throw e;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Waits until the service has stopped or failed, at most {@code timeout}.
   *
   * @return the state reached (not terminal when the wait timed out)
   */
  public ServiceState awaitTerminated(Duration timeout) {
    return await(EnumSet.of(ServiceState.STOPPED, ServiceState.FAILED), timeout);
  }

  /**
   * Waits until the state is one of {@code targets} or the timeout passes.
   *
   * @return the state reached (not in {@code targets} when the wait timed out)
   */
  public ServiceState await(Set<ServiceState> targets, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!targets.contains(state)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return state;
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
      return state;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return state;
    } finally {
      lock.unlock();
    }
  }

  private boolean move(Set<ServiceState> from, ServiceState to) {
    lock.lock();
    try {
      if (!from.contains(state)) {
        return false;
      }
      set(to);
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void set(ServiceState next) {
    state = next;
    changed.signalAll();
  }

  private static String describe(Throwable t) {
    if (t == null) {
      return "unknown cause";
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  @Override
  public String toString() {
    return name + " " + state();
  }
}
