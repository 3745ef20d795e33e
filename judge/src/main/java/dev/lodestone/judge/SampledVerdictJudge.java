package dev.lodestone.judge;

import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.SampleGroup;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A judge that answers each pair with a 0/1 verdict drawn from another judge's probability, as a
 * person or a language model answers: 1 (response i is better) with probability {@code P(i over
 * j)}, else 0. The draw is a function of the seed, the group id and the pair, so a group judged
 * again (a re-sent sample, a transaction redone after a crash) gets the same verdicts.
 *
 * @param judgeId this judge's id, distinct from the underlying judge's
 * @param seed mixed into every draw
 * @param probabilities the judge whose probabilities the verdicts are drawn from
 */
public record SampledVerdictJudge(String judgeId, long seed, PairJudge probabilities)
    implements PairJudge {

  public SampledVerdictJudge {
    Objects.requireNonNull(judgeId, "judgeId");
    Objects.requireNonNull(probabilities, "probabilities");
    if (judgeId.isBlank()) {
      throw new IllegalArgumentException("judgeId must not be blank");
    }
  }

  @Override
  public JudgeKind kind() {
    return probabilities.kind();
  }

  @Override
  public boolean accepts(SampleGroup group) {
    return probabilities.accepts(group);
  }

  @Override
  public double preference(SampleGroup group, int i, int j) {
    double p = probabilities.preference(group, i, j);
    return draw(group.getGroupId(), i, j) < p ? 1.0 : 0.0;
  }

  /** A uniform number in [0, 1) fixed by the seed, the group and the pair. */
  double draw(String groupId, int i, int j) {
    long h = seed;
    for (byte b : groupId.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xFF)) * 0x100000001B3L; // FNV-1a over the id, from the seed
    }
    h = h * 31 + i;
    h = h * 31 + j;
    return new SplittableRandom(h).nextDouble();
  }
}
