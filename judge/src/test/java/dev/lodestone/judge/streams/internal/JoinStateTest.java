package dev.lodestone.judge.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.judge.streams.internal.JoinState.GroupState;
import dev.lodestone.judge.streams.internal.JoinState.LabelState;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class JoinStateTest {

  @Test
  void shouldRoundTripGroupAndLabelState() {
    GroupState known = new GroupState(new byte[] {0, 1, 2, 3}, 5, 77L, 3, 1_000L, 61_000L, 2);
    GroupState decoded = GroupState.decode(known.encode());
    assertThat(decoded.sample()).containsExactly(0, 1, 2, 3);
    assertThat(decoded).usingRecursiveComparison().ignoringFields("sample").isEqualTo(known);
    GroupState unknown = new GroupState(null, -1, -1L, 0, 5L, 6L, 0);
    assertThat(GroupState.decode(unknown.encode()).hasSample()).isFalse();

    LabelState label = new LabelState(0.375, 2, 9L, new byte[] {9, 8}, 123L);
    LabelState back = LabelState.decode(label.encode());
    assertThat(back.probability()).isEqualTo(0.375);
    assertThat(back.partition()).isEqualTo(2);
    assertThat(back.offset()).isEqualTo(9L);
    assertThat(back.value()).containsExactly(9, 8);
    assertThat(back.arrivedMs()).isEqualTo(123L);
  }

  @Test
  void shouldRefuseAnotherFormatVersion() {
    byte[] value = new LabelState(0.5, 0, 0L, new byte[0], 0L).encode();
    value[0] = 9;
    assertThatThrownBy(() -> LabelState.decode(value))
        .hasMessageContaining("format version 9")
        .hasMessageContaining("reads version 1");
  }

  @Test
  void shouldKeepAGroupsLabelsUnderItsOwnPrefixEvenWhenIdsArePrefixesOfEachOther() {
    Bytes a = JoinState.labelPrefix("a");
    Bytes ab = JoinState.labelKey("ab", 0, 1, "j");
    Bytes aNul = JoinState.labelKey("a\u0000b", 0, 1, "j");
    assertThat(startsWith(JoinState.labelKey("a", 0, 1, "judge"), a)).isTrue();
    assertThat(startsWith(ab, a)).isFalse();
    assertThat(startsWith(aNul, a)).isFalse();
    assertThat(JoinState.decodeLabelKey(JoinState.labelKey("gé", 2, 7, "oracle-1")))
        .isEqualTo(new JoinState.LabelKey("gé", 2, 7, "oracle-1"));
  }

  @Test
  void shouldOrderLabelKeysByPairThenJudgeAndDeadlinesByTime() {
    List<Bytes> keys =
        new ArrayList<>(
            List.of(
                JoinState.labelKey("g", 1, 2, "a"),
                JoinState.labelKey("g", 0, 2, "b"),
                JoinState.labelKey("g", 0, 10, "a"),
                JoinState.labelKey("g", 0, 2, "a")));
    keys.sort(Bytes::compareTo);
    assertThat(keys)
        .extracting(k -> JoinState.decodeLabelKey(k).toString())
        .containsExactly(
            new JoinState.LabelKey("g", 0, 2, "a").toString(),
            new JoinState.LabelKey("g", 0, 2, "b").toString(),
            new JoinState.LabelKey("g", 0, 10, "a").toString(),
            new JoinState.LabelKey("g", 1, 2, "a").toString());

    Bytes early = JoinState.deadlineKey(255L, "zzz");
    Bytes late = JoinState.deadlineKey(256L, "aaa");
    assertThat(early.compareTo(late)).isNegative();
    assertThat(JoinState.deadlineOf(late)).isEqualTo(256L);
    assertThat(JoinState.groupIdOfDeadline(late)).isEqualTo("aaa");
  }

  private static boolean startsWith(Bytes key, Bytes prefix) {
    byte[] k = key.get();
    byte[] p = prefix.get();
    if (k.length < p.length) {
      return false;
    }
    for (int i = 0; i < p.length; i++) {
      if (k[i] != p[i]) {
        return false;
      }
    }
    return true;
  }
}
