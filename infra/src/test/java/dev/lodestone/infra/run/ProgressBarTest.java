package dev.lodestone.infra.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

  @Test
  void shouldRenderStepVersionExploitabilityRateAndStaleness() {
    String line = ProgressBar.render(new Progress(0.5, 120, 30, 0.0312, 48.14, 0.9, 125));
    assertThat(line)
        .isEqualTo(
            " 50% [############------------] step 120  v 30  expl 0.0312  pairs/s 48.1  stale"
                + " 0.90 v  02:05");
  }

  @Test
  void shouldShowDashesBeforeTheFirstVersionAndEvaluation() {
    String line = ProgressBar.render(new Progress(0, 0, -1, Double.NaN, 0, 0, 3));
    assertThat(line).contains("  v -  expl -  ").startsWith("  0% [------------------------]");
  }

  @Test
  void shouldRedrawInPlaceOnATerminalAndPrintLinesElsewhere() {
    StringWriter terminal = new StringWriter();
    ProgressBar onTerminal = new ProgressBar(new PrintWriter(terminal), true, 10);
    onTerminal.update(new Progress(0.1, 1, 0, 0.2, 1, 0, 1));
    onTerminal.update(new Progress(0.2, 2, 0, 0.2, 1, 0, 2));
    onTerminal.finish(new Progress(1, 3, 0, 0.2, 1, 0, 3));
    assertThat(terminal.toString())
        .startsWith("\r")
        .contains("\r")
        .endsWith(System.lineSeparator());
    // Three draws, one line: only the finish ends it.
    assertThat(terminal.toString().chars().filter(c -> c == '\r').count()).isEqualTo(3);
    assertThat(terminal.toString().chars().filter(c -> c == '\n').count()).isEqualTo(1);

    StringWriter log = new StringWriter();
    ProgressBar inLog = new ProgressBar(new PrintWriter(log), false, 3600);
    inLog.update(new Progress(0.1, 1, 0, 0.2, 1, 0, 1));
    inLog.update(new Progress(0.2, 2, 0, 0.2, 1, 0, 2)); // not due yet
    inLog.finish(new Progress(1, 3, 0, 0.2, 1, 0, 3));
    assertThat(log.toString().lines()).hasSize(2).noneMatch(l -> l.contains("\r"));
  }
}
