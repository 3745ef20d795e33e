package dev.lodestone.sampler.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackPressureTest {

  @Test
  void shouldAllowPublishingWhileInFlightIsBelowStalenessTimesGroupsPerVersion() {
    // maxStaleness 2, groupsPerVersion 4: the bound is 8 groups in flight.
    assertThat(BackPressure.bound(2, 4)).isEqualTo(8);
    assertThat(BackPressure.allowance(0, 0, 2, 4)).isEqualTo(8);
    assertThat(BackPressure.allowance(5, 0, 2, 4)).isEqualTo(3);
    assertThat(BackPressure.allowance(7, 0, 2, 4)).isEqualTo(1);
    assertThat(BackPressure.allowance(8, 0, 2, 4)).isZero(); // 8 - 0 < 8 is false: pause
    assertThat(BackPressure.allowance(11, 0, 2, 4)).isZero(); // past the bound: still 0
    // The learner consumed 8 (its next version says so): 16 - 8 = 8 in flight, paused again.
    assertThat(BackPressure.allowance(9, 8, 2, 4)).isEqualTo(7);
    assertThat(BackPressure.allowance(16, 8, 2, 4)).isZero();
    assertThat(BackPressure.inFlight(16, 8)).isEqualTo(8);
  }

  @Test
  void shouldAdmitAtLeastOneVersionsWorthOfGroupsSoTheLearnerCanAlwaysProgress() {
    // Whatever the learner has consumed, once every published group is consumed the samplers may
    // publish at least groupsPerVersion more: the learner's next version cannot starve.
    for (int staleness = 1; staleness <= 4; staleness++) {
      for (int gpv = 1; gpv <= 16; gpv *= 2) {
        for (long consumed = 0; consumed < 50; consumed += 7) {
          assertThat(BackPressure.allowance(consumed, consumed, staleness, gpv))
              .isGreaterThanOrEqualTo(gpv);
        }
      }
    }
  }

  @Test
  void shouldNotHoldBackWhenTheVersionDoesNotStateItsGroupsPerVersion() {
    assertThat(BackPressure.bound(2, 0)).isEqualTo(BackPressure.UNBOUNDED);
    assertThat(BackPressure.allowance(1_000_000, 0, 2, 0)).isEqualTo(BackPressure.UNBOUNDED);
  }

  @Test
  void shouldCountNegativeInFlightAsZero() {
    // A recreated samples topic: fewer produced than consumed.
    assertThat(BackPressure.inFlight(3, 10)).isZero();
    assertThat(BackPressure.allowance(3, 10, 2, 4)).isEqualTo(8);
  }

  @Test
  void shouldRefuseImpossibleArguments() {
    assertThatThrownBy(() -> BackPressure.bound(0, 4))
        .hasMessage("maxStaleness must be at least 1, got 0");
    assertThatThrownBy(() -> BackPressure.bound(2, -1))
        .hasMessage("groupsPerVersion must be >= 0, got -1");
  }

  @Test
  void gaugeShouldReadEndOffsetsAtMostOncePerRefreshIntervalAndAddItsOwnGroups() {
    AtomicLong clock = new AtomicLong(1_000);
    AtomicLong endOffsets = new AtomicLong(10);
    InFlightGauge gauge = new InFlightGauge(endOffsets::get, clock::get, 100);

    assertThat(gauge.produced()).isEqualTo(10);
    gauge.sent(3); // this sampler published three (flushed)
    endOffsets.set(20); // others published too, unseen until the next read
    clock.addAndGet(99);
    assertThat(gauge.produced()).isEqualTo(13);
    assertThat(gauge.reads()).isEqualTo(1);
    clock.addAndGet(1);
    assertThat(gauge.produced()).isEqualTo(20); // re-read: own groups are in the offsets now
    assertThat(gauge.reads()).isEqualTo(2);
  }

  @Test
  void gaugeWithZeroRefreshShouldReadEveryTime() {
    AtomicLong endOffsets = new AtomicLong(0);
    InFlightGauge gauge = new InFlightGauge(endOffsets::get, () -> 5, 0);
    for (int i = 0; i < 3; i++) {
      endOffsets.incrementAndGet();
      assertThat(gauge.produced()).isEqualTo(i + 1);
    }
    assertThat(gauge.reads()).isEqualTo(3);
  }
}
