package dev.lodestone.service;

/**
 * The states of a Lodestone service, after {@code KafkaStreams.State}.
 *
 * <pre>
 * CREATED ──start──► STARTING ──► RUNNING ──close──► STOPPING ──► STOPPED
 *                        │            │
 *                        └────────────┴──(error)──► FAILED
 * </pre>
 */
public enum ServiceState {
  /** Constructed and configured; nothing started. */
  CREATED,
  /** Starting: connecting, restoring state, loading models. */
  STARTING,
  /** Doing its work. */
  RUNNING,
  /** Asked to stop; finishing or aborting in-flight work. */
  STOPPING,
  /** Stopped cleanly. Terminal. */
  STOPPED,
  /** Stopped by an error; {@link Service#failure()} holds the cause. Terminal. */
  FAILED;

  /** Whether the service can leave this state no more. */
  public boolean isTerminal() {
    return this == STOPPED || this == FAILED;
  }
}
