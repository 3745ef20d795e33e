package dev.lodestone.judge.eval;

import dev.lodestone.service.feed.PolicyHeader;
import java.util.Objects;

/**
 * The evaluation of one policy version.
 *
 * @param header the version evaluated
 * @param evaluation what was measured
 * @param referenceVersion the POLICY version of the reference policy, or -1 when it was given as
 *     weights
 */
public record VersionEvaluation(PolicyHeader header, Evaluation evaluation, long referenceVersion) {
  /** Checks the references. */
  public VersionEvaluation {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(evaluation, "evaluation");
  }
}
