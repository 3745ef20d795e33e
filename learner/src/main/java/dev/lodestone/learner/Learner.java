package dev.lodestone.learner;

import dev.lodestone.schemas.lifecycle.Lifecycle;
import dev.lodestone.schemas.lifecycle.Service;
import dev.lodestone.schemas.lifecycle.ServiceState;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;

/**
 * The learner service (DESIGN.md section 2, PIPELINE.md): a transactional consume-process-produce
 * loop over {@code labeled} that applies MPO updates and publishes policy and magnet versions.
 */
public final class Learner implements Service {

  /** The component name in metrics and dead letters. */
  public static final String COMPONENT = "learner";

  private final LearnerConfig config;
  private final byte[] initialWeights;
  private final Lifecycle lifecycle;

  /**
   * A learner; nothing starts before {@link #start(Duration)}.
   *
   * @param config the configuration
   * @param initialWeights the weights of version 0, used only when {@code learner-state} holds no
   *     checkpoint for the model; may be null, and then start fails with a clear message when no
   *     checkpoint exists
   */
  public Learner(LearnerConfig config, byte[] initialWeights) {
    this.config = Objects.requireNonNull(config, "config");
    this.initialWeights = initialWeights == null ? null : initialWeights.clone();
    this.lifecycle = new Lifecycle(COMPONENT + "-" + config.modelId());
  }

  /** The configuration. */
  public LearnerConfig config() {
    return config;
  }

  @Override
  public String name() {
    return COMPONENT + "-" + config.modelId();
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
    throw new UnsupportedOperationException("the learner service is not implemented yet");
  }

  /** Adam steps applied so far. */
  public long step() {
    return 0;
  }

  /** The last published POLICY version, -1 before version 0. */
  public long policyVersion() {
    return -1;
  }

  /** The last published MAGNET version, -1 before version 0. */
  public long magnetVersion() {
    return -1;
  }

  /** Labelled groups consumed in all. */
  public long consumedGroups() {
    return 0;
  }

  /** A snapshot of the learner's progress. */
  public LearnerStats stats() {
    return new LearnerStats(0, -1, -1, 0, 0, 0, 0, Double.NaN);
  }

  /**
   * Waits until the learner has stopped (closed, or {@code maxSteps} reached) or failed, at most
   * {@code timeout}.
   *
   * @return the state reached (not terminal when the wait timed out)
   */
  public ServiceState awaitTermination(Duration timeout) {
    return lifecycle.await(EnumSet.of(ServiceState.STOPPED, ServiceState.FAILED), timeout);
  }

  @Override
  public void close() {
    if (lifecycle.stopping()) {
      lifecycle.stopped();
    }
  }
}
