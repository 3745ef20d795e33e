package dev.lodestone.stack;

/**
 * Topics could not be provisioned: the cluster did not answer in time, refused a request, or (as
 * the subclass {@link TopicLayoutException}) holds a topic whose layout contradicts the catalogue.
 */
public class TopicProvisioningException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An error with a message for the user. */
  public TopicProvisioningException(String message) {
    super(message);
  }

  /** An error with a message for the user and the failure behind it. */
  public TopicProvisioningException(String message, Throwable cause) {
    super(message, cause);
  }
}
