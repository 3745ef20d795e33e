package dev.lodestone.judge.human;

import dev.lodestone.schemas.avro.FeedbackItem;
import dev.lodestone.schemas.avro.FeedbackPair;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabelVerdict;
import dev.lodestone.schemas.avro.PreferenceLabel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The human judge's queue: the pairs of the waiting groups, who holds a lease on which, and who has
 * answered which. Pure state, no I/O; {@link FeedbackService} persists every change to the {@code
 * feedback} topic before it counts ({@link #apply}, {@link #revert}).
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>A pair goes to at most {@code quorum} distinct annotators: it is offered while its labels
 *       plus its unexpired leases are fewer than the quorum, and never to an annotator who has
 *       labelled it, skipped it, or holds a lease on it.
 *   <li>An annotator holds at most one lease: asking again returns the same item until it is
 *       answered or its lease expires; an expired lease's pair returns to the queue, and an answer
 *       to it is refused (410).
 *   <li>Pairs are offered oldest group first, in the canonical pair order within a group.
 *   <li>A group leaves the queue when every pair has its quorum of labels, or when it has waited
 *       {@code maxWait} (the label join gives such a group up too).
 *   <li>The order of the two responses is drawn per lease and recorded with the label.
 * </ul>
 *
 * Not thread-safe: the service calls it under one lock.
 */
public final class FeedbackQueue {
  /** How many finished item ids are remembered, to tell "already answered" from "unknown". */
  private static final int FINISHED_REMEMBERED = 100_000;

  private final int quorum;
  private final Duration lease;
  private final Duration maxWait;
  private final Clock clock;
  private final Random random;
  private final LinkedHashMap<String, Group> groups = new LinkedHashMap<>();
  private final Map<String, Lease> leases = new LinkedHashMap<>();
  private final Map<String, Lease> byAnnotator = new LinkedHashMap<>();
  private final Map<String, String> finished =
      new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > FINISHED_REMEMBERED;
        }
      };
  private int waitingPairs;

  /**
   * An empty queue.
   *
   * @param quorum distinct annotators each pair goes to
   * @param lease how long an annotator holds an item before it returns to the queue
   * @param maxWait how long a group waits for its labels
   * @param clock the time of leases and waits
   * @param random draws the order in which each pair is shown
   */
  public FeedbackQueue(int quorum, Duration lease, Duration maxWait, Clock clock, Random random) {
    if (quorum < 1) {
      throw new IllegalArgumentException("quorum must be at least 1, got " + quorum);
    }
    this.quorum = quorum;
    this.lease = requirePositive(lease, "lease");
    this.maxWait = requirePositive(maxWait, "maxWait");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
  }

  /** A group of the queue. */
  private static final class Group {
    final FeedbackItem item;
    final Instant arrived;
    final List<Pair> pairs = new ArrayList<>();

    Group(FeedbackItem item) {
      this.item = item;
      this.arrived = item.getArrived();
      for (FeedbackPair p : item.getPairs()) {
        pairs.add(new Pair(this, p));
      }
    }
  }

  /** A pair of a group and its answers. */
  private static final class Pair {
    final Group group;
    final int i;
    final int j;
    final Set<String> labelledBy;
    final Set<String> skippedBy;
    final Map<String, Lease> leased = new LinkedHashMap<>();

    Pair(Group group, FeedbackPair p) {
      this.group = group;
      this.i = p.getI();
      this.j = p.getJ();
      this.labelledBy = new LinkedHashSet<>(p.getLabelledBy());
      this.skippedBy = new LinkedHashSet<>(p.getSkippedBy());
    }
  }

  /** An annotator's hold on a pair. */
  private static final class Lease {
    final String id;
    final String annotator;
    final Pair pair;
    final boolean jFirst;
    final Instant issued;
    final Instant expires;
    boolean submitting;

    Lease(String id, String annotator, Pair pair, boolean jFirst, Instant issued, Instant expires) {
      this.id = id;
      this.annotator = annotator;
      this.pair = pair;
      this.jFirst = jFirst;
      this.issued = issued;
      this.expires = expires;
    }
  }

  /**
   * An item as handed to an annotator: the pair, in the order shown.
   *
   * @param itemId the lease's id, which the answer names
   * @param groupId the group
   * @param task the group's task
   * @param modelId the model that drew it
   * @param policyVersion the policy version that drew the responses
   * @param prompt the prompt
   * @param first the response shown first (A)
   * @param second the response shown second (B)
   * @param firstIndex the group index of A
   * @param secondIndex the group index of B
   * @param expires when the lease expires
   */
  public record Item(
      String itemId,
      String groupId,
      String task,
      String modelId,
      long policyVersion,
      String prompt,
      String first,
      String second,
      int firstIndex,
      int secondIndex,
      Instant expires) {}

  /**
   * An answer accepted for publication: not yet counted until {@link #apply} and the transaction
   * that publishes it commit.
   */
  public static final class Submission {
    private final Lease lease;
    private final Answer answer;
    private final PreferenceLabel label;
    private boolean groupRemoved;

    private Submission(Lease lease, Answer answer, String rationale, Instant answered) {
      this.lease = lease;
      this.answer = answer;
      this.label = answer == Answer.SKIP ? null : label(lease, answer, rationale, answered);
    }

    /** The annotator. */
    public String annotator() {
      return lease.annotator;
    }

    /** The answer. */
    public Answer answer() {
      return answer;
    }

    /** The group. */
    public String groupId() {
      return lease.pair.group.item.getGroupId();
    }

    /** The item's id. */
    public String itemId() {
      return lease.id;
    }

    /**
     * The label this answer gives: P(i over j) 1, 0 or 1/2 with the verdict, the rationale, which
     * response was shown first and the time taken; empty for {@link Answer#SKIP}.
     */
    public Optional<PreferenceLabel> label() {
      return Optional.ofNullable(label);
    }

    private static PreferenceLabel label(
        Lease lease, Answer answer, String rationale, Instant answered) {
      Pair p = lease.pair;
      LabelVerdict verdict =
          switch (answer) {
            case A -> lease.jFirst ? LabelVerdict.J_BETTER : LabelVerdict.I_BETTER;
            case B -> lease.jFirst ? LabelVerdict.I_BETTER : LabelVerdict.J_BETTER;
            case TIE -> LabelVerdict.TIE;
            case BOTH_BAD -> LabelVerdict.BOTH_BAD;
            case SKIP -> throw new IllegalStateException("a skip has no label");
          };
      double probability =
          switch (verdict) {
            case I_BETTER -> 1.0;
            case J_BETTER -> 0.0;
            case TIE, BOTH_BAD -> 0.5;
          };
      return PreferenceLabel.newBuilder()
          .setGroupId(p.group.item.getGroupId())
          .setI(p.i)
          .setJ(p.j)
          .setProbability(probability)
          .setJudgeId(lease.annotator)
          .setJudgeKind(JudgeKind.HUMAN)
          .setTime(answered)
          .setVerdict(verdict)
          .setRationale(rationale == null || rationale.isBlank() ? null : rationale)
          .setShownFirst(lease.jFirst ? p.j : p.i)
          .setResponseMillis(Duration.between(lease.issued, answered).toMillis())
          .build();
    }

    /** The group's task. */
    public String task() {
      return lease.pair.group.item.getTask();
    }

    /** The texts of responses i and j. */
    public List<String> texts() {
      List<String> r = lease.pair.group.item.getResponses();
      return List.of(r.get(lease.pair.i), r.get(lease.pair.j));
    }
  }

  /**
   * What {@link #apply} changed: the group's new state on the {@code feedback} topic, or null at
   * its end, and whether the answered pair now has its quorum of labels.
   */
  public record Change(String groupId, FeedbackItem item, boolean pairComplete) {}

  /** Restores a group read back from the {@code feedback} topic (or newly taken from samples). */
  public void put(FeedbackItem item) {
    Objects.requireNonNull(item, "item");
    remove(item.getGroupId());
    Group g = new Group(item);
    groups.put(item.getGroupId(), g);
    for (Pair p : g.pairs) {
      if (p.labelledBy.size() < quorum) {
        waitingPairs++;
      }
    }
  }

  /** Removes a group (a tombstone read back), dropping its leases. */
  public void remove(String groupId) {
    Group g = groups.remove(groupId);
    if (g == null) {
      return;
    }
    for (Pair p : g.pairs) {
      if (p.labelledBy.size() < quorum) {
        waitingPairs--;
      }
      for (Lease l : List.copyOf(p.leased.values())) {
        dropLease(l, "the group is no longer waiting for labels");
      }
    }
  }

  /** Whether the group is in the queue. */
  public boolean contains(String groupId) {
    return groups.containsKey(groupId);
  }

  /** Groups in the queue. */
  public int groups() {
    return groups.size();
  }

  /** Pairs that still need labels. */
  public int waitingPairs() {
    return waitingPairs;
  }

  /** The quorum. */
  public int quorum() {
    return quorum;
  }

  /**
   * The item this annotator holds, or a new lease on the oldest pair it may judge; empty when there
   * is none.
   */
  public Optional<Item> next(String annotator) {
    Instant now = clock.instant();
    expireLeases(now);
    Lease held = byAnnotator.get(annotator);
    if (held != null && !held.submitting) {
      return Optional.of(item(held));
    }
    if (held != null) {
      return Optional.empty(); // its answer is being published
    }
    for (Group g : groups.values()) {
      for (Pair p : g.pairs) {
        if (p.labelledBy.size() + p.leased.size() >= quorum
            || p.labelledBy.contains(annotator)
            || p.skippedBy.contains(annotator)
            || p.leased.containsKey(annotator)) {
          continue;
        }
        byte[] id = new byte[12];
        random.nextBytes(id);
        Lease l =
            new Lease(
                HexFormat.of().formatHex(id),
                annotator,
                p,
                random.nextBoolean(),
                now,
                now.plus(lease));
        leases.put(l.id, l);
        byAnnotator.put(annotator, l);
        p.leased.put(annotator, l);
        return Optional.of(item(l));
      }
    }
    return Optional.empty();
  }

  /**
   * Accepts an answer to an item for publication.
   *
   * @throws FeedbackException 404 for an item this annotator was never given, 409 for a second
   *     answer, 410 for an expired lease or a group no longer waiting
   */
  public Submission submit(String annotator, String itemId, Answer answer, String rationale) {
    Objects.requireNonNull(answer, "answer");
    Instant now = clock.instant();
    expireLeases(now);
    Lease l = leases.get(itemId);
    if (l == null || !l.annotator.equals(annotator)) {
      String why = l == null ? finished.get(itemId) : null;
      if (why != null && why.startsWith(annotator + "\n")) {
        String reason = why.substring(annotator.length() + 1);
        if (reason.equals("answered")) {
          throw new FeedbackException(409, "item " + itemId + " was already answered");
        }
        throw new FeedbackException(410, "item " + itemId + ": " + reason);
      }
      throw new FeedbackException(404, "no item " + itemId + " was given to " + annotator);
    }
    if (l.submitting) {
      throw new FeedbackException(409, "item " + itemId + " was already answered");
    }
    l.submitting = true;
    return new Submission(l, answer, rationale, now);
  }

  /**
   * Counts an accepted answer in the queue and says what changes on the {@code feedback} topic. The
   * service calls it inside the transaction that publishes the label; {@link #revert} undoes it if
   * the transaction aborts.
   */
  public Change apply(Submission s) {
    Pair p = s.lease.pair;
    if (s.answer == Answer.SKIP) {
      p.skippedBy.add(s.annotator());
    } else {
      p.labelledBy.add(s.annotator());
      if (p.labelledBy.size() == quorum) {
        waitingPairs--;
      }
    }
    p.leased.remove(s.annotator());
    Group g = p.group;
    boolean pairComplete = p.labelledBy.size() >= quorum;
    boolean complete = g.pairs.stream().allMatch(q -> q.labelledBy.size() >= quorum);
    if (complete) {
      groups.remove(g.item.getGroupId());
      s.groupRemoved = true;
      return new Change(g.item.getGroupId(), null, true);
    }
    return new Change(g.item.getGroupId(), snapshot(g), pairComplete);
  }

  /** Undoes {@link #apply} of an answer whose transaction aborted; its lease is held again. */
  public void revert(Submission s) {
    Pair p = s.lease.pair;
    if (s.groupRemoved) {
      groups.put(p.group.item.getGroupId(), p.group);
      s.groupRemoved = false;
    }
    if (s.answer == Answer.SKIP) {
      p.skippedBy.remove(s.annotator());
    } else {
      if (p.labelledBy.size() == quorum) {
        waitingPairs++;
      }
      p.labelledBy.remove(s.annotator());
    }
    p.leased.put(s.annotator(), s.lease);
    s.lease.submitting = false;
  }

  /** Releases an answer that was refused before {@link #apply}: the lease is held again. */
  public void release(Submission s) {
    s.lease.submitting = false;
  }

  /** Ends the lease of an answer whose transaction committed. */
  public void finish(Submission s) {
    leases.remove(s.lease.id);
    byAnnotator.remove(s.annotator(), s.lease);
    finished.put(s.lease.id, s.annotator() + "\nanswered");
  }

  /**
   * Takes out the groups that have waited longer than {@code maxWait}; the service writes their
   * tombstones.
   */
  public List<String> expireGroups() {
    Instant cutoff = clock.instant().minus(maxWait);
    List<String> expired = new ArrayList<>();
    for (Group g : groups.values()) {
      if (!g.arrived.isBefore(cutoff)) {
        break; // in arrival order
      }
      if (g.pairs.stream().flatMap(p -> p.leased.values().stream()).noneMatch(l -> l.submitting)) {
        expired.add(g.item.getGroupId());
      }
    }
    return expired;
  }

  /** The group's current state, as the {@code feedback} topic holds it. */
  public Optional<FeedbackItem> snapshot(String groupId) {
    Group g = groups.get(groupId);
    return g == null ? Optional.empty() : Optional.of(snapshot(g));
  }

  private static FeedbackItem snapshot(Group g) {
    List<FeedbackPair> pairs = new ArrayList<>(g.pairs.size());
    for (Pair p : g.pairs) {
      pairs.add(
          FeedbackPair.newBuilder()
              .setI(p.i)
              .setJ(p.j)
              .setLabelledBy(List.copyOf(p.labelledBy))
              .setSkippedBy(List.copyOf(p.skippedBy))
              .build());
    }
    return FeedbackItem.newBuilder(g.item).setPairs(pairs).build();
  }

  private Item item(Lease l) {
    FeedbackItem g = l.pair.group.item;
    int first = l.jFirst ? l.pair.j : l.pair.i;
    int second = l.jFirst ? l.pair.i : l.pair.j;
    return new Item(
        l.id,
        g.getGroupId(),
        g.getTask(),
        g.getModelId(),
        g.getPolicyVersion(),
        g.getPrompt(),
        g.getResponses().get(first),
        g.getResponses().get(second),
        first,
        second,
        l.expires);
  }

  private void expireLeases(Instant now) {
    for (Iterator<Lease> it = leases.values().iterator(); it.hasNext(); ) {
      Lease l = it.next();
      if (!l.submitting && !now.isBefore(l.expires)) {
        it.remove();
        l.pair.leased.remove(l.annotator, l);
        byAnnotator.remove(l.annotator, l);
        finished.put(l.id, l.annotator + "\nits lease expired; fetch the next item");
      }
    }
  }

  private void dropLease(Lease l, String reason) {
    leases.remove(l.id);
    l.pair.leased.remove(l.annotator, l);
    byAnnotator.remove(l.annotator, l);
    finished.put(l.id, l.annotator + "\n" + reason);
  }

  private static Duration requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }
}
