package dev.lodestone.infra.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) and SIGTERM for a long-running command: a shutdown hook marks the command as
 * {@link #signalled()} and then holds the JVM until the command has stopped its components and
 * written its output ({@link #close()}), at most {@code grace}. Without a signal, {@link #close()}
 * removes the hook.
 */
final class Signals implements AutoCloseable {
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread hook;
  private volatile boolean signalled;

  private Signals(String name, Duration grace) {
    this.hook =
        new Thread(
            () -> {
              signalled = true;
              try {
                done.await(grace.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            name + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Installs the hook. */
  static Signals install(String name, Duration grace) {
    return new Signals(name, grace);
  }

  /** Whether Ctrl-C or SIGTERM arrived. */
  boolean signalled() {
    return signalled;
  }

  /** Sleeps up to {@code millis}, returning early (true) when a signal arrived. */
  boolean sleep(long millis) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000;
    while (!signalled && System.nanoTime() < end) {
      Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
    }
    return signalled;
  }

  /** The command is done: releases the hook (or removes it when no signal came). */
  @Override
  public void close() {
    done.countDown();
    if (!signalled) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Shutting down already: the hook finds the latch released.
      }
    }
  }
}
