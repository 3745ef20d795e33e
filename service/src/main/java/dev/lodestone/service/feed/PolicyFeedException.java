package dev.lodestone.service.feed;

/**
 * The feed cannot follow the policy topic: the topic does not exist, or the schema registry refused
 * a request that retrying will not fix. Bad records never raise it: they go to the dead letters.
 */
public class PolicyFeedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PolicyFeedException(String message) {
    super(message);
  }

  public PolicyFeedException(String message, Throwable cause) {
    super(message, cause);
  }
}
