package dev.lodestone.judge.streams;

import dev.lodestone.schemas.serde.DeadLetterReason;
import java.util.Map;
import java.util.function.ToLongFunction;

/** Shared metric naming of the judge and the label join. */
final class MetricNames {
  private MetricNames() {}

  static void putDeadLetters(
      Map<String, Double> values, String component, ToLongFunction<DeadLetterReason> count) {
    long total = 0;
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      long n = count.applyAsLong(reason);
      total += n;
      values.put(component + "/deadLetters/" + reason.name(), (double) n);
    }
    values.put(component + "/deadLetters", (double) total);
  }
}
