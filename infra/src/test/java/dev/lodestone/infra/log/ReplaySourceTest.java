package dev.lodestone.infra.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.Topics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplaySourceTest {

  @Test
  void shouldReadATopicWithoutARangeAsAllOfIt() {
    ReplaySource s = ReplaySource.parse("labeled");
    assertThat(s.topic()).contains(Topics.LABELED);
    assertThat(s.from()).isEmpty();
    assertThat(s.to()).isEmpty();
    assertThat(s.file()).isEmpty();
  }

  @Test
  void shouldReadOffsetAndTimeBoundsEitherSideOptional() {
    ReplaySource s = ReplaySource.parse("replay:100..2500");
    assertThat(s.topic()).contains(Topics.REPLAY);
    assertThat(s.from()).contains(new ReplaySource.AtOffset(100));
    assertThat(s.to()).contains(new ReplaySource.AtOffset(2500));

    ReplaySource t = ReplaySource.parse("labeled:2026-12-07T06:00:00Z..");
    assertThat(t.from()).contains(new ReplaySource.AtTime(Instant.parse("2026-12-07T06:00:00Z")));
    assertThat(t.to()).isEmpty();

    ReplaySource u = ReplaySource.parse("labeled:..4800");
    assertThat(u.from()).isEmpty();
    assertThat(u.to()).contains(new ReplaySource.AtOffset(4800));
  }

  @Test
  void shouldTakeAnythingElseForAFile() {
    assertThat(ReplaySource.parse("logs/labeled.avro").file())
        .isEqualTo(Optional.of(Path.of("logs/labeled.avro")));
    assertThat(ReplaySource.parse("labeled.avro").topic()).isEmpty();
  }

  @Test
  void shouldRefuseMalformedRangesWithAMessage() {
    assertThatThrownBy(() -> ReplaySource.parse("labeled:100")).hasMessageContaining("FROM..TO");
    assertThatThrownBy(() -> ReplaySource.parse("labeled:yesterday.."))
        .hasMessageContaining("neither an offset nor an ISO-8601 instant");
    assertThatThrownBy(() -> ReplaySource.parse("labeled:500..100"))
        .hasMessageContaining("ends before it starts");
    assertThatThrownBy(() -> ReplaySource.parse("")).hasMessageContaining("empty");
  }
}
