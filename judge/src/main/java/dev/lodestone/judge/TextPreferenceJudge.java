package dev.lodestone.judge;

import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.SampleGroup;
import java.util.Objects;

/**
 * A judge of one task that compares the texts of two responses: it accepts exactly the groups whose
 * {@code task} equals {@link #task()}, and P(i over j) = {@code preference.prefer(text_i, text_j)}.
 *
 * <p>The game oracle ({@link GameOracle}) is this judge over a preference game's {@code judge}. The
 * preference must be thread-safe (a pure function is).
 *
 * @param judgeId the judge's stable id
 * @param kind the kind of judge
 * @param task the task whose groups this judge labels, as the samplers write it into {@code
 *     SampleGroup.task}
 * @param preference P(a over b) for two texts
 */
public record TextPreferenceJudge(
    String judgeId, JudgeKind kind, String task, TextPreference preference) implements PairJudge {

  public TextPreferenceJudge {
    Objects.requireNonNull(judgeId, "judgeId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(preference, "preference");
    if (judgeId.isBlank()) {
      throw new IllegalArgumentException("judgeId must not be blank");
    }
    if (task.isBlank()) {
      throw new IllegalArgumentException("task must not be blank");
    }
  }

  @Override
  public boolean accepts(SampleGroup group) {
    return task.equals(group.getTask());
  }

  @Override
  public double preference(SampleGroup group, int i, int j) {
    return preference.prefer(
        group.getResponses().get(i).getText(), group.getResponses().get(j).getText());
  }
}
