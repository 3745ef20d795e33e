package dev.lodestone.stack;

import java.util.List;

/**
 * Existing topics contradict the catalogue: fewer partitions than it needs, or another cleanup
 * policy. Lodestone does not alter existing topics; fix them by hand or use a fresh cluster.
 */
public final class TopicLayoutException extends TopicProvisioningException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** Every mismatch found, one line each, e.g. "topic samples has 2 partitions, needs 8". */
  public TopicLayoutException(List<String> problems) {
    super("existing topics do not match the catalogue: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every mismatch found, one line each. */
  public List<String> problems() {
    return problems;
  }
}
