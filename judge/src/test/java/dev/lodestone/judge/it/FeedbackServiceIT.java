package dev.lodestone.judge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lodestone.judge.human.AnnotatorTokens;
import dev.lodestone.judge.human.FeedbackConfig;
import dev.lodestone.judge.human.FeedbackService;
import dev.lodestone.judge.testing.FeedbackClient;
import dev.lodestone.judge.testing.FeedbackClient.Reply;
import dev.lodestone.judge.testing.TestGroups;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabelVerdict;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.service.ServiceState;
import dev.lodestone.stack.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feedback service on a real broker through its HTTP API: tokens, quorum and no-repeat with
 * three annotators, leases, bad requests that change nothing, and a restart that loses and
 * duplicates nothing. Each test has a broker of its own.
 */
@Tag("integration")
class FeedbackServiceIT {
  private static final String[] MOVES = {"rock", "paper", "scissors"};

  @TempDir Path dir;
  private TestBroker broker;
  private Path tokens;
  private final Map<String, String> secrets = new HashMap<>();
  private final List<FeedbackService> services = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    broker = TestBroker.start();
    tokens = dir.resolve("tokens.json");
    AnnotatorTokens file = AnnotatorTokens.read(tokens);
    for (String a : List.of("alice", "bob", "carol", "dave")) {
      AnnotatorTokens.Created c = file.add(a, Instant.now());
      file = file.with(c.token());
      secrets.put(a, c.secret());
    }
    file.revoke("dave", Instant.now()).write(tokens);
  }

  @AfterEach
  void stop() throws Exception {
    for (FeedbackService s : services) {
      s.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private FeedbackService service(int quorum, Duration lease, int requestsPerSecond) {
    FeedbackConfig config =
        FeedbackConfig.of(broker.config(), tokens)
            .withAddress("127.0.0.1", 0)
            .withQueue(quorum, lease, Duration.ofMinutes(10))
            .withRequestsPerSecond(requestsPerSecond);
    FeedbackService s = new FeedbackService(config, broker.registry());
    services.add(s);
    s.start(Duration.ofSeconds(60));
    return s;
  }

  private FeedbackClient client(FeedbackService s, String annotator) {
    return new FeedbackClient(s.url(), annotator == null ? null : secrets.get(annotator));
  }

  private Map<String, SampleGroup> send(String prefix, int n, String... texts) {
    Map<String, SampleGroup> sent = new LinkedHashMap<>();
    for (int k = 0; k < n; k++) {
      String id = prefix + "-" + k;
      String[] t =
          texts.length > 0
              ? texts
              : new String[] {MOVES[k % 3], MOVES[(k + 1) % 3], MOVES[(k + 2) % 3]};
      sent.put(id, TestGroups.group(id, t));
    }
    TestGroups.publish(broker, sent.values());
    return sent;
  }

  private List<PreferenceLabel> labels() {
    return broker.readAll(Topics.LABELS).stream().map(ConsumerRecord::value).toList();
  }

  /** Waits until the queue holds this many waiting pairs. */
  private static void awaitWaiting(FeedbackClient c, int pairs) throws InterruptedException {
    TestBroker.await(
        pairs + " pairs waiting",
        () -> c.get("api/v1/me").json().get("waitingPairs").asInt() == pairs);
  }

  @Test
  void shouldRequireATokenAndRefuseARevokedOne() throws Exception {
    FeedbackService s = service(1, Duration.ofMinutes(5), 100);
    assertThat(client(s, null).get("health").status()).isEqualTo(200);

    Reply none = client(s, null).next();
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.json().get("error").asText()).contains("no token");
    Reply unknown = new FeedbackClient(s.url(), "lst_not-a-token").next();
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.json().get("error").asText()).contains("unknown token");
    Reply revoked = client(s, "dave").next();
    assertThat(revoked.status()).isEqualTo(401);
    assertThat(revoked.json().get("error").asText()).contains("revoked");

    assertThat(client(s, "alice").get("api/v1/me").json().get("annotator").asText())
        .isEqualTo("alice");

    // Every operation the OpenAPI document describes is served, and asks for a token unless the
    // document says it needs none.
    JsonNode api = client(s, null).get("openapi.json").json();
    assertThat(api.get("openapi").asText()).startsWith("3.1");
    int operations = 0;
    for (var path : (Iterable<Map.Entry<String, JsonNode>>) api.get("paths")::fields) {
      for (var op : (Iterable<Map.Entry<String, JsonNode>>) path.getValue()::fields) {
        String url = path.getKey().substring(1).replace("{itemId}", "some-item");
        Reply r =
            op.getKey().equals("get") ? client(s, null).get(url) : client(s, null).post(url, "{}");
        boolean open = op.getValue().has("security") && op.getValue().get("security").isEmpty();
        assertThat(r.status()).as("%s %s", op.getKey(), path.getKey()).isEqualTo(open ? 200 : 401);
        operations++;
      }
    }
    assertThat(operations).isEqualTo(6);
    // revoked while the service runs: refused at once
    AnnotatorTokens.read(tokens).revoke("alice", Instant.now()).write(tokens);
    assertThat(client(s, "alice").get("api/v1/me").status()).isEqualTo(401);
    assertThat(client(s, "bob").get("api/v1/me").status()).isEqualTo(200);
  }

  @Test
  void shouldGiveEachPairToQuorumDistinctAnnotatorsAndPublishTheirVerdicts() throws Exception {
    FeedbackService s = service(2, Duration.ofMinutes(5), 1000);
    Map<String, SampleGroup> sent = send("q", 4);
    awaitWaiting(client(s, "alice"), 12);

    String[] answers = {"A", "B", "TIE", "BOTH_BAD"};
    Map<String, String> answered = new HashMap<>(); // itemId -> answer
    Map<String, JsonNode> items = new HashMap<>();
    int k = 0;
    boolean any = true;
    while (any) {
      any = false;
      for (String a : List.of("alice", "bob", "carol")) {
        Reply r = client(s, a).next();
        if (r.status() == 204) {
          continue;
        }
        assertThat(r.status()).isEqualTo(200);
        any = true;
        JsonNode item = r.json();
        assertThat(item.get("policyVersion").asLong())
            .isEqualTo(sent.get(item.get("groupId").asText()).getPolicyVersion());
        String answer = answers[k++ % answers.length];
        Reply v = client(s, a).verdict(item.get("itemId").asText(), answer, "because " + k);
        assertThat(v.status()).as(v.body()).isEqualTo(200);
        answered.put(item.get("itemId").asText(), answer);
        items.put(item.get("itemId").asText(), item);
      }
    }
    assertThat(answered).hasSize(24); // 12 pairs, quorum 2

    List<PreferenceLabel> labels = labels();
    assertThat(labels).hasSize(24);
    Map<String, Set<String>> byPair = new HashMap<>();
    for (PreferenceLabel l : labels) {
      assertThat(l.getJudgeKind()).isEqualTo(JudgeKind.HUMAN);
      assertThat(l.getJudgeId()).isIn("alice", "bob", "carol");
      assertThat(l.getRationale()).startsWith("because ");
      assertThat(l.getShownFirst()).isIn(l.getI(), l.getJ());
      assertThat(
              byPair
                  .computeIfAbsent(
                      l.getGroupId() + "/" + l.getI() + "/" + l.getJ(), x -> new HashSet<>())
                  .add(l.getJudgeId()))
          .isTrue();
    }
    assertThat(byPair).hasSize(12);
    assertThat(byPair.values()).allSatisfy(j -> assertThat(j).hasSize(2));
    // the answer, as shown (A first), maps to the label's verdict about i and j
    Map<String, PreferenceLabel> byRationale = new HashMap<>();
    labels.forEach(l -> byRationale.put(l.getRationale(), l));
    int checked = 0;
    for (int n = 1; n <= 24; n++) {
      PreferenceLabel l = byRationale.get("because " + n);
      String answer = answers[(n - 1) % answers.length];
      LabelVerdict expected =
          switch (answer) {
            case "A" ->
                l.getShownFirst() == l.getI() ? LabelVerdict.I_BETTER : LabelVerdict.J_BETTER;
            case "B" ->
                l.getShownFirst() == l.getI() ? LabelVerdict.J_BETTER : LabelVerdict.I_BETTER;
            case "TIE" -> LabelVerdict.TIE;
            default -> LabelVerdict.BOTH_BAD;
          };
      assertThat(l.getVerdict()).isEqualTo(expected);
      assertThat(l.getProbability())
          .isEqualTo(
              expected == LabelVerdict.I_BETTER
                  ? 1.0
                  : expected == LabelVerdict.J_BETTER ? 0.0 : 0.5);
      checked++;
    }
    assertThat(checked).isEqualTo(24);
    assertThat(client(s, "alice").get("api/v1/labels?limit=50").json().get("labels").size())
        .isEqualTo((int) labels.stream().filter(l -> l.getJudgeId().equals("alice")).count());
    assertThat(client(s, "alice").get("api/v1/me").json().get("waitingPairs").asInt()).isZero();
    // position bias: of the labels preferring one response, the share preferring the one shown
    // first; the answers alternate A and B, so it is one half
    long decided =
        labels.stream()
            .filter(
                l ->
                    l.getVerdict() == LabelVerdict.I_BETTER
                        || l.getVerdict() == LabelVerdict.J_BETTER)
            .count();
    long first =
        labels.stream()
            .filter(
                l ->
                    (l.getVerdict() == LabelVerdict.I_BETTER && l.getShownFirst() == l.getI())
                        || (l.getVerdict() == LabelVerdict.J_BETTER
                            && l.getShownFirst() == l.getJ()))
            .count();
    assertThat(decided).isEqualTo(12);
    assertThat(first).isEqualTo(6);
    assertThat(
            client(s, "alice")
                .get("api/v1/stats")
                .json()
                .get("feedback/first_shown_preferred")
                .asDouble())
        .isEqualTo(0.5);
  }

  @Test
  void shouldOfferAnExpiredLeaseAgainAndRefuseItsLateAnswer() throws Exception {
    FeedbackService s = service(1, Duration.ofSeconds(1), 1000);
    send("lease", 1, "rock", "paper");
    awaitWaiting(client(s, "alice"), 1);
    JsonNode held = client(s, "alice").next().json();
    assertThat(client(s, "alice").next().json().get("itemId").asText())
        .isEqualTo(held.get("itemId").asText()); // the same item until answered
    assertThat(client(s, "bob").next().status()).isEqualTo(204);
    Thread.sleep(1500);
    JsonNode again = client(s, "bob").next().json();
    assertThat(again.get("groupId").asText()).isEqualTo(held.get("groupId").asText());
    Reply late = client(s, "alice").verdict(held.get("itemId").asText(), "A", null);
    assertThat(late.status()).isEqualTo(410);
    assertThat(late.json().get("error").asText()).contains("lease expired");
    assertThat(client(s, "bob").verdict(again.get("itemId").asText(), "B", null).status())
        .isEqualTo(200);
    assertThat(labels())
        .singleElement()
        .satisfies(l -> assertThat(l.getJudgeId()).isEqualTo("bob"));
  }

  @Test
  void shouldRefuseBadRequestsWithAClearMessageAndChangeNothing() throws Exception {
    FeedbackService s = service(1, Duration.ofMinutes(5), 1000);
    send("bad", 1, "<script>alert('x')</script>", "<b>paper</b>");
    FeedbackClient alice = client(s, "alice");
    awaitWaiting(alice, 1);
    JsonNode item = alice.next().json();
    String id = item.get("itemId").asText();
    // responses come back as the exact text, markup included
    assertThat(List.of(item.get("a").get("text").asText(), item.get("b").get("text").asText()))
        .containsExactlyInAnyOrder("<script>alert('x')</script>", "<b>paper</b>");

    Reply malformed = alice.post("api/v1/items/" + id + "/verdict", "{\"verdict\": ");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().get("error").asText()).contains("not JSON");
    Reply badVerdict = alice.verdict(id, "MAYBE", null);
    assertThat(badVerdict.status()).isEqualTo(400);
    assertThat(badVerdict.json().get("error").asText()).contains("A, B, TIE, BOTH_BAD, SKIP");
    assertThat(alice.verdict("no-such-item", "A", null).status()).isEqualTo(404);
    assertThat(client(s, "bob").verdict(id, "A", null).status()).isEqualTo(404); // not bob's
    Reply longRationale = alice.verdict(id, "A", "x".repeat(2_001));
    assertThat(longRationale.status()).isEqualTo(413);
    assertThat(longRationale.json().get("error").asText()).contains("2001 characters");
    Reply hugeBody =
        alice.post(
            "api/v1/items/" + id + "/verdict",
            "{\"verdict\": \"A\", \"pad\": \"" + "y".repeat(20_000) + "\"}");
    assertThat(hugeBody.status()).isEqualTo(413);
    assertThat(labels()).isEmpty(); // nothing changed

    assertThat(alice.verdict(id, "A", null).status()).isEqualTo(200);
    Reply twice = alice.verdict(id, "B", null);
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.json().get("error").asText()).contains("already answered");
    assertThat(labels()).hasSize(1);
  }

  @Test
  void shouldLimitRequestsPerToken() throws Exception {
    FeedbackService s = service(1, Duration.ofMinutes(5), 5);
    int limited = 0;
    for (int k = 0; k < 30; k++) {
      if (client(s, "alice").get("api/v1/me").status() == 429) {
        limited++;
      }
    }
    assertThat(limited).isGreaterThan(0);
    assertThat(client(s, "bob").get("api/v1/me").status()).isEqualTo(200); // per token
  }

  @Test
  void shouldLoseAndRepeatNothingAcrossARestartAndOfferUnansweredItemsAgain() throws Exception {
    FeedbackService first = service(1, Duration.ofMinutes(5), 1000);
    send("restart", 3);
    awaitWaiting(client(first, "alice"), 9);
    for (int k = 0; k < 4; k++) {
      JsonNode item = client(first, "alice").next().json();
      assertThat(client(first, "alice").verdict(item.get("itemId").asText(), "A", null).status())
          .isEqualTo(200);
    }
    JsonNode leased = client(first, "bob").next().json(); // held, never answered
    first.close();
    assertThat(first.state()).isEqualTo(ServiceState.STOPPED);

    FeedbackService second = service(1, Duration.ofMinutes(5), 1000);
    assertThat(second.restoredGroups()).isGreaterThan(0);
    FeedbackClient bob = client(second, "bob");
    awaitWaiting(bob, 5);
    JsonNode offered = bob.next().json();
    assertThat(offered.get("groupId").asText()).isEqualTo(leased.get("groupId").asText());
    int answered = 0;
    for (Reply r = offered == null ? null : new Reply(200, offered.toString());
        r != null && r.status() == 200;
        r = bob.next()) {
      assertThat(bob.verdict(r.json().get("itemId").asText(), "B", null).status()).isEqualTo(200);
      answered++;
    }
    assertThat(answered).isEqualTo(5);
    List<PreferenceLabel> labels = labels();
    assertThat(labels).hasSize(9);
    assertThat(
            labels.stream().map(l -> l.getGroupId() + "/" + l.getI() + "/" + l.getJ()).distinct())
        .hasSize(9);
  }
}
