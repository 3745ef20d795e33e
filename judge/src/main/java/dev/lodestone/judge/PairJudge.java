package dev.lodestone.judge;

import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.SampleGroup;

/**
 * A judge of response pairs: for two responses i and j of a sample group, the probability that i is
 * preferred over j. One implementation per kind of judge: the game oracle (exact preferences of a
 * known game), an LLM over an OpenAI-compatible HTTP API, a human-feedback page, a learned pairwise
 * model.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li>{@link #preference} returns a finite number in [0, 1]. The judge topology treats anything
 *       else as a bug in the judge: it fails (its transaction is aborted, nothing is published)
 *       instead of publishing the value.
 *   <li>The topology asks {@link #accepts} only for groups that passed validation (at least two
 *       responses, token ids and log-probs of equal length, sizes within the limits), and asks for
 *       preferences only for accepted groups.
 *   <li>Implementations are thread-safe: a judge service with several stream threads shares one
 *       instance among them.
 *   <li>The judge's lifetime belongs to whoever created it; services do not close it.
 * </ul>
 *
 * <h2>Where the blocking call sits</h2>
 *
 * The judge topology calls {@link #preferences(SampleGroup)} once per accepted group, on a stream
 * thread, inside the exactly-once transaction that also commits the group's input offset. The
 * default implementation calls {@link #preference} for every pair; a judge that calls a remote
 * service overrides {@link #preferences(SampleGroup)} to ask for all pairs of the group in one
 * request. A call must end well within the Streams transaction timeout ({@code
 * transaction.timeout.ms}, 10 s by default under exactly-once) and {@code max.poll.interval.ms}; a
 * judge that may wait longer bounds its own calls with a timeout (raising the two settings through
 * the service's Streams overrides where needed), and a judge that answers in minutes (a person)
 * does not belong on a stream thread at all: it runs as its own service that consumes {@code
 * samples} and produces {@code labels} transactionally, which the label join accepts from any
 * producer.
 */
public interface PairJudge {

  /**
   * This judge's stable id, written into every label it gives. Instances of the same logical judge
   * share the id; the label join counts at most one label per judge id and pair.
   */
  String judgeId();

  /** What kind of judge this is, written into every label it gives. */
  JudgeKind kind();

  /**
   * Whether this judge labels the group (typically: whether the group's task is the judge's task).
   * Groups it does not accept are skipped and counted.
   */
  boolean accepts(SampleGroup group);

  /**
   * P(response i is preferred over response j), a finite number in [0, 1].
   *
   * @param group an accepted, valid group
   * @param i index of a response, {@code 0 <= i < j}
   * @param j index of a response, {@code i < j < G}
   */
  double preference(SampleGroup group, int i, int j);

  /**
   * The preferences of every pair of the group, in the canonical order of {@link Pairs} (element
   * {@code Pairs.index(i, j, G)} is P(i preferred over j)). The default calls {@link #preference}
   * once per pair; override it to batch a group's pairs into one remote call.
   *
   * @param group an accepted, valid group
   * @return an array of {@code Pairs.count(G)} probabilities
   */
  default double[] preferences(SampleGroup group) {
    int g = group.getResponses().size();
    double[] p = new double[Pairs.count(g)];
    int k = 0;
    for (int i = 0; i < g; i++) {
      for (int j = i + 1; j < g; j++) {
        p[k++] = preference(group, i, j);
      }
    }
    return p;
  }
}
