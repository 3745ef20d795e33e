package dev.lodestone.judge.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.junit.jupiter.api.Test;

/** Which deaths of a stream thread are an outage (the thread is replaced) and which are not. */
class StreamsRunnerOutageTest {

  @Test
  void shouldTakeATimeoutOrACommitThatTimedOutForAnOutage() {
    // What a judge died of in a 5-minute broker outage (bench chaos, scenario outage).
    assertThat(
            StreamsRunner.isOutage(
                new StreamsException(
                    new IllegalStateException(
                        "Cannot attempt operation `sendOffsetsToTransaction` because the previous"
                            + " call to `commitTransaction` timed out and must be retried"))))
        .isTrue();
    assertThat(
            StreamsRunner.isOutage(
                new StreamsException(
                    "commit failed",
                    new TimeoutException("Timeout expired after 60000ms while awaiting EndTxn"))))
        .isTrue();
  }

  @Test
  void shouldNotTakeOtherFailuresForAnOutage() {
    assertThat(StreamsRunner.isOutage(new StreamsException(new NullPointerException()))).isFalse();
    assertThat(StreamsRunner.isOutage(new IllegalStateException("a bug"))).isFalse();
    assertThat(StreamsRunner.isOutage(new TaskMigratedException("moved"))).isFalse();
  }
}
