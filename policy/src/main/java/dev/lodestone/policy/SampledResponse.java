package dev.lodestone.policy;

import java.util.Arrays;

/**
 * One sampled response.
 *
 * @param text the decoded text, without the end-of-sequence token (see {@link
 *     ByteTokenizer#decode})
 * @param tokenIds the tokens as sampled; ends with EOS when {@code finished}
 * @param logProbs the log-probability of each token under the distribution it was drawn from
 *     (temperature and top-p applied); same length as {@code tokenIds}
 * @param finished true when EOS was sampled before the token limit
 */
public record SampledResponse(String text, int[] tokenIds, float[] logProbs, boolean finished) {

  /** Checks that ids and log-probs have the same length. */
  public SampledResponse {
    if (tokenIds.length != logProbs.length) {
      throw new IllegalArgumentException(
          "tokenIds and logProbs must have the same length, got "
              + tokenIds.length
              + " and "
              + logProbs.length);
    }
  }

  /** Sum of the per-token log-probabilities (the log-probability of the whole response). */
  public double logProb() {
    double s = 0;
    for (float lp : logProbs) {
      s += lp;
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SampledResponse r
        && text.equals(r.text)
        && Arrays.equals(tokenIds, r.tokenIds)
        && Arrays.equals(logProbs, r.logProbs)
        && finished == r.finished;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * text.hashCode() + Arrays.hashCode(tokenIds)) + Boolean.hashCode(finished);
  }

  @Override
  public String toString() {
    return "SampledResponse[text="
        + text
        + ", tokenIds="
        + Arrays.toString(tokenIds)
        + ", logProbs="
        + Arrays.toString(logProbs)
        + ", finished="
        + finished
        + "]";
  }
}
