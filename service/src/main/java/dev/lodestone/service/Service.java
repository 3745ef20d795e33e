package dev.lodestone.service;

import java.time.Duration;
import java.util.Optional;

/**
 * The lifecycle contract of every Lodestone service (sampler, judge, label join, learner,
 * evaluator): explicit states, a start that waits until the service runs, and a clean close.
 */
public interface Service extends AutoCloseable {

  /** A short name for logs and metrics, e.g. {@code sampler-0}. */
  String name();

  /** The current state. */
  ServiceState state();

  /**
   * Starts the service and waits until it is {@link ServiceState#RUNNING}.
   *
   * @throws ServiceException if it fails while starting (the cause attached) or is not running
   *     within {@code timeout}; the service is then closed
   * @throws IllegalStateException if it was started before
   */
  void start(Duration timeout);

  /** Why the service failed, when its state is {@link ServiceState#FAILED}. */
  Optional<Throwable> failure();

  /** Stops the service, waits until it has stopped, and releases its resources. Idempotent. */
  @Override
  void close();
}
