package dev.lodestone.stack.registry;

/**
 * The embedded schema registry could not start: its port is taken, its host does not resolve, or
 * its data directory cannot be used. The message names the host, the port and the reason.
 */
public class RegistryStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String host;
  private final int port;

  /**
   * @param host the host the registry was to listen on
   * @param port the port it was to listen on (0 for an ephemeral one)
   * @param message what went wrong, naming host and port
   * @param cause the underlying failure
   */
  public RegistryStartException(String host, int port, String message, Throwable cause) {
    super(message, cause);
    this.host = host;
    this.port = port;
  }

  /** The host the registry was to listen on. */
  public String host() {
    return host;
  }

  /** The port the registry was to listen on (0 for an ephemeral one). */
  public int port() {
    return port;
  }
}
