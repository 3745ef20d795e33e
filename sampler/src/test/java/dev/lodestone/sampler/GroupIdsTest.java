package dev.lodestone.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupIdsTest {

  @Test
  void shouldJoinSamplerIdAndSequenceAndSplitThemBack() {
    assertThat(GroupIds.of("sampler-0a1b2c3d", 17)).isEqualTo("sampler-0a1b2c3d-17");
    assertThat(GroupIds.parse("sampler-0a1b2c3d-17"))
        .isEqualTo(new GroupIds.Parts("sampler-0a1b2c3d", 17));
  }

  @Test
  void shouldBeUniqueAcrossSamplersWhoseIdsLookAlike() {
    // Ids that end in digits, or contain '-<digits>', must not collide with other pairs.
    List<String> samplers = List.of("s", "s-1", "s-1-2", "s-12", "s1", "s-");
    Set<String> ids = new HashSet<>();
    int made = 0;
    for (String sampler : samplers) {
      for (long seq = 0; seq < 30; seq++) {
        String id = GroupIds.of(sampler, seq);
        ids.add(id);
        made++;
        assertThat(GroupIds.parse(id)).isEqualTo(new GroupIds.Parts(sampler, seq));
      }
    }
    assertThat(ids).hasSize(made);
  }

  @Test
  void shouldRefuseWhatIsNotAGroupId() {
    assertThatThrownBy(() -> GroupIds.parse("nodash")).hasMessageContaining("'nodash'");
    assertThatThrownBy(() -> GroupIds.parse("s-x")).hasMessageContaining("sequence number");
    assertThatThrownBy(() -> GroupIds.parse("s-")).hasMessageContaining("'s-'");
    assertThatThrownBy(() -> GroupIds.parse(null)).hasMessageContaining("null");
    assertThatThrownBy(() -> GroupIds.of("s", -1)).hasMessage("sequence must be >= 0, got -1");
  }
}
