package dev.lodestone.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  @Test
  void shouldWalkThroughTheStatesOfACleanRun() {
    Lifecycle lifecycle = new Lifecycle("svc");
    assertThat(lifecycle.state()).isEqualTo(ServiceState.CREATED);
    lifecycle.starting();
    assertThat(lifecycle.running()).isTrue();
    lifecycle.awaitRunning(Duration.ZERO);
    assertThat(lifecycle.stopping()).isTrue();
    assertThat(lifecycle.stopping()).as("a second close is a no-op").isFalse();
    lifecycle.stopped();
    assertThat(lifecycle.state()).isEqualTo(ServiceState.STOPPED);
    assertThat(lifecycle.state().isTerminal()).isTrue();
  }

  @Test
  void shouldRefuseASecondStart() {
    Lifecycle lifecycle = new Lifecycle("svc");
    lifecycle.starting();
    assertThatThrownBy(lifecycle::starting)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("svc cannot start: it is STARTING");
  }

  @Test
  void shouldWakeAWaiterWhenTheServiceRuns() throws Exception {
    Lifecycle lifecycle = new Lifecycle("svc");
    lifecycle.starting();
    CompletableFuture<ServiceState> waiter =
        CompletableFuture.supplyAsync(
            () -> lifecycle.await(EnumSet.of(ServiceState.RUNNING), Duration.ofSeconds(30)));
    lifecycle.running();
    assertThat(waiter.get()).isEqualTo(ServiceState.RUNNING);
  }

  @Test
  void shouldReportTheCauseWhenStartingFails() {
    Lifecycle lifecycle = new Lifecycle("svc");
    lifecycle.starting();
    IllegalStateException cause = new IllegalStateException("no broker at localhost:1");
    lifecycle.failed(cause);
    lifecycle.stopped();
    assertThat(lifecycle.state()).as("a failure is terminal").isEqualTo(ServiceState.FAILED);
    assertThat(lifecycle.failure()).contains(cause);
    assertThatThrownBy(() -> lifecycle.awaitRunning(Duration.ofSeconds(1)))
        .isInstanceOf(ServiceException.class)
        .hasMessage("svc failed while starting: no broker at localhost:1")
        .hasCause(cause);
  }

  @Test
  void shouldTimeOutWhenTheServiceDoesNotRun() {
    Lifecycle lifecycle = new Lifecycle("svc");
    lifecycle.starting();
    assertThatThrownBy(() -> lifecycle.awaitRunning(Duration.ofMillis(20)))
        .isInstanceOf(ServiceException.class)
        .hasMessage("svc is not running after 20 ms (state STARTING)");
  }

  @Test
  void awaitStartedShouldAcceptAServiceThatRanAndStoppedByItself() {
    Lifecycle lifecycle = new Lifecycle("svc");
    lifecycle.starting();
    lifecycle.running();
    lifecycle.stopping();
    lifecycle.stopped();
    lifecycle.awaitStarted(Duration.ZERO);
    assertThatThrownBy(() -> lifecycle.awaitRunning(Duration.ZERO))
        .isInstanceOf(ServiceException.class)
        .hasMessage("svc stopped while starting");
  }

  @Test
  void awaitStartedShouldRefuseAServiceThatStoppedWithoutRunning() {
    Lifecycle lifecycle = new Lifecycle("svc");
    lifecycle.starting();
    lifecycle.stopping();
    assertThat(lifecycle.running()).as("closed before it ran").isFalse();
    lifecycle.stopped();
    assertThatThrownBy(() -> lifecycle.awaitStarted(Duration.ZERO))
        .isInstanceOf(ServiceException.class)
        .hasMessage("svc stopped while starting");
  }

  @Test
  void awaitTerminatedShouldReturnTheTerminalStateOrTheCurrentOneOnTimeout() {
    Lifecycle lifecycle = new Lifecycle("svc");
    lifecycle.starting();
    lifecycle.running();
    assertThat(lifecycle.awaitTerminated(Duration.ofMillis(20))).isEqualTo(ServiceState.RUNNING);
    lifecycle.failed(new IllegalStateException("boom"));
    assertThat(lifecycle.awaitTerminated(Duration.ZERO)).isEqualTo(ServiceState.FAILED);
  }
}
