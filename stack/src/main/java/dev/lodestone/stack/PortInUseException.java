package dev.lodestone.stack;

/**
 * A port the local stack was asked to listen on is already taken. Raised before anything starts, so
 * no half-started broker is left behind.
 */
public final class PortInUseException extends LocalStackException {
  private static final long serialVersionUID = 1L;

  /** What a port of the local stack is for. */
  public enum Purpose {
    /** The broker's client listener (the bootstrap address). */
    KAFKA("the Kafka broker"),
    /** The KRaft controller listener. */
    CONTROLLER("the Kafka controller"),
    /** The schema registry's HTTP listener. */
    REGISTRY("the schema registry");

    private final String description;

    Purpose(String description) {
      this.description = description;
    }

    /** A short description for messages, e.g. "the Kafka broker". */
    public String description() {
      return description;
    }
  }

  private final String host;
  private final int port;
  private final Purpose purpose;

  /** The port {@code port} on {@code host}, wanted for {@code purpose}, is in use. */
  public PortInUseException(String host, int port, Purpose purpose, Throwable cause) {
    super(
        "port " + port + " on " + host + " for " + purpose.description() + " is already in use",
        cause);
    this.host = host;
    this.port = port;
    this.purpose = purpose;
  }

  /** The host or address the port was wanted on. */
  public String host() {
    return host;
  }

  /** The port that is in use. */
  public int port() {
    return port;
  }

  /** What the port was wanted for. */
  public Purpose purpose() {
    return purpose;
  }
}
