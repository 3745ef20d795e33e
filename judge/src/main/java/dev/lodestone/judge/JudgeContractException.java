package dev.lodestone.judge;

/**
 * A {@link PairJudge} broke its contract: a probability that is NaN, infinite or outside [0, 1], or
 * a preference array of the wrong length. A bug in the judge, not in the data: the judge service
 * fails with this cause rather than publish the value.
 */
public class JudgeContractException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public JudgeContractException(String message) {
    super(message);
  }
}
