package dev.lodestone.judge.human;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.avro.FeedbackItem;
import dev.lodestone.schemas.avro.FeedbackPair;
import dev.lodestone.schemas.avro.LabelVerdict;
import dev.lodestone.schemas.avro.PreferenceLabel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FeedbackQueueTest {
  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-12-07T12:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final TestClock clock = new TestClock();
  private final Random random = new Random(7);

  private FeedbackQueue queue(int quorum) {
    return new FeedbackQueue(quorum, Duration.ofSeconds(60), Duration.ofMinutes(10), clock, random);
  }

  private FeedbackItem group(String id, String... responses) {
    List<FeedbackPair> pairs = new ArrayList<>();
    for (int i = 0; i < responses.length; i++) {
      for (int j = i + 1; j < responses.length; j++) {
        pairs.add(
            FeedbackPair.newBuilder()
                .setI(i)
                .setJ(j)
                .setLabelledBy(List.of())
                .setSkippedBy(List.of())
                .build());
      }
    }
    return FeedbackItem.newBuilder()
        .setGroupId(id)
        .setModelId("m")
        .setTask("perturbed-rps")
        .setPrompt("Play.")
        .setResponses(List.of(responses))
        .setPolicyVersion(3)
        .setArrived(clock.instant())
        .setPairs(pairs)
        .build();
  }

  /** Submits and commits, as the service does after its transaction. */
  private Optional<PreferenceLabel> answer(
      FeedbackQueue q, String annotator, String itemId, Answer a) {
    FeedbackQueue.Submission s = q.submit(annotator, itemId, a, null);
    q.apply(s);
    q.finish(s);
    return s.label();
  }

  @Test
  void shouldGiveEachPairToQuorumDistinctAnnotatorsAndNeverTwiceToOne() {
    FeedbackQueue q = queue(2);
    q.put(group("g1", "rock", "paper", "scissors"));
    q.put(group("g2", "rock", "rock"));
    Map<String, Set<String>> byPair = new HashMap<>();
    List<String> annotators = List.of("alice", "bob", "carol");
    int answers = 0;
    boolean any = true;
    while (any) {
      any = false;
      for (String a : annotators) {
        Optional<FeedbackQueue.Item> item = q.next(a);
        if (item.isEmpty()) {
          continue;
        }
        any = true;
        FeedbackQueue.Item it = item.get();
        String pair =
            it.groupId()
                + "/"
                + Math.min(it.firstIndex(), it.secondIndex())
                + "/"
                + Math.max(it.firstIndex(), it.secondIndex());
        assertThat(byPair.computeIfAbsent(pair, k -> new HashSet<>()).add(a))
            .as("%s offered %s twice", a, pair)
            .isTrue();
        answer(q, a, it.itemId(), Answer.A);
        answers++;
      }
    }
    assertThat(answers).isEqualTo(2 * 4); // four pairs, two labels each
    assertThat(byPair.values()).allSatisfy(s -> assertThat(s).hasSize(2));
    assertThat(q.groups()).isZero();
    assertThat(q.waitingPairs()).isZero();
  }

  @Test
  void shouldReturnTheSameItemUntilAnsweredAndOfferItAgainAfterTheLeaseExpires() {
    FeedbackQueue q = queue(1);
    q.put(group("g1", "rock", "paper"));
    FeedbackQueue.Item first = q.next("alice").orElseThrow();
    assertThat(q.next("alice").orElseThrow().itemId()).isEqualTo(first.itemId());
    assertThat(q.next("bob")).isEmpty(); // quorum 1: leased to alice

    clock.now = clock.now.plusSeconds(61);
    FeedbackQueue.Item again = q.next("bob").orElseThrow();
    assertThat(again.groupId()).isEqualTo("g1");
    assertThatThrownBy(() -> q.submit("alice", first.itemId(), Answer.A, null))
        .isInstanceOfSatisfying(FeedbackException.class, e -> assertThat(e.status()).isEqualTo(410))
        .hasMessageContaining("lease expired");
    assertThat(answer(q, "bob", again.itemId(), Answer.TIE)).isPresent();
    assertThatThrownBy(() -> q.submit("bob", again.itemId(), Answer.A, null))
        .isInstanceOfSatisfying(
            FeedbackException.class, e -> assertThat(e.status()).isEqualTo(409));
    assertThatThrownBy(() -> q.submit("bob", "nope", Answer.A, null))
        .isInstanceOfSatisfying(
            FeedbackException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void shouldNotLetAnotherAnnotatorAnswerAnItemItWasNotGiven() {
    FeedbackQueue q = queue(1);
    q.put(group("g1", "rock", "paper"));
    FeedbackQueue.Item item = q.next("alice").orElseThrow();
    assertThatThrownBy(() -> q.submit("bob", item.itemId(), Answer.A, null))
        .isInstanceOfSatisfying(
            FeedbackException.class, e -> assertThat(e.status()).isEqualTo(404));
  }

  @Test
  void shouldMapTheShownOrderToTheLabelAndRecordIt() {
    int jFirst = 0;
    for (int k = 0; k < 40; k++) {
      FeedbackQueue q = queue(1);
      q.put(group("g" + k, "rock", "paper"));
      FeedbackQueue.Item item = q.next("alice").orElseThrow();
      PreferenceLabel l = answer(q, "alice", item.itemId(), Answer.A).orElseThrow();
      assertThat(l.getShownFirst()).isEqualTo(item.firstIndex());
      if (item.firstIndex() == 0) {
        assertThat(l.getVerdict()).isEqualTo(LabelVerdict.I_BETTER);
        assertThat(l.getProbability()).isEqualTo(1.0);
        assertThat(item.first()).isEqualTo("rock");
      } else {
        jFirst++;
        assertThat(l.getVerdict()).isEqualTo(LabelVerdict.J_BETTER);
        assertThat(l.getProbability()).isEqualTo(0.0);
        assertThat(item.first()).isEqualTo("paper");
      }
    }
    assertThat(jFirst).isBetween(5, 35); // the order is drawn, not fixed
  }

  @Test
  void shouldNotOfferASkippedPairAgainToTheSameAnnotatorButToOthers() {
    FeedbackQueue q = queue(1);
    q.put(group("g1", "rock", "paper"));
    FeedbackQueue.Item item = q.next("alice").orElseThrow();
    assertThat(answer(q, "alice", item.itemId(), Answer.SKIP)).isEmpty();
    assertThat(q.next("alice")).isEmpty();
    assertThat(q.next("bob")).isPresent();
    assertThat(q.snapshot("g1").orElseThrow().getPairs().get(0).getSkippedBy())
        .containsExactly("alice");
  }

  @Test
  void shouldUndoAnAnswerWhoseTransactionAborted() {
    FeedbackQueue q = queue(1);
    q.put(group("g1", "rock", "paper"));
    FeedbackQueue.Item item = q.next("alice").orElseThrow();
    FeedbackQueue.Submission s = q.submit("alice", item.itemId(), Answer.B, null);
    FeedbackQueue.Change c = q.apply(s);
    assertThat(c.item()).isNull(); // the group would end: a tombstone
    q.revert(s);
    assertThat(q.groups()).isEqualTo(1);
    assertThat(q.waitingPairs()).isEqualTo(1);
    assertThat(q.next("alice").orElseThrow().itemId()).isEqualTo(item.itemId());
    assertThat(answer(q, "alice", item.itemId(), Answer.B)).isPresent();
    assertThat(q.groups()).isZero();
  }

  @Test
  void shouldRestoreAnswersAndExpireGroupsThatWaitedTooLong() {
    FeedbackQueue q = queue(2);
    FeedbackItem g = group("g1", "rock", "paper");
    g.getPairs().get(0).setLabelledBy(List.of("alice"));
    q.put(g);
    assertThat(q.next("alice")).isEmpty();
    assertThat(q.next("bob")).isPresent();
    clock.now = clock.now.plus(Duration.ofMinutes(11));
    assertThat(q.expireGroups()).containsExactly("g1");
  }
}
