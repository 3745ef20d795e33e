package dev.lodestone.judge;

import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.SampleGroup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The labels a judge publishes for a group: one per pair i &lt; j, in the order of {@link Pairs}.
 */
public final class PairLabels {
  private PairLabels() {}

  /**
   * One {@link PreferenceLabel} per pair of the group.
   *
   * @param p the preferences in the canonical order of {@link Pairs} ({@code Pairs.count(G)} of
   *     them)
   */
  public static List<PreferenceLabel> of(
      SampleGroup group, double[] p, String judgeId, JudgeKind kind, Instant time) {
    int g = group.getResponses().size();
    List<PreferenceLabel> labels = new ArrayList<>(p.length);
    int k = 0;
    for (int i = 0; i < g; i++) {
      for (int j = i + 1; j < g; j++) {
        labels.add(
            PreferenceLabel.newBuilder()
                .setGroupId(group.getGroupId())
                .setI(i)
                .setJ(j)
                .setProbability(p[k++])
                .setJudgeId(judgeId)
                .setJudgeKind(kind)
                .setTime(time)
                .build());
      }
    }
    return labels;
  }
}
