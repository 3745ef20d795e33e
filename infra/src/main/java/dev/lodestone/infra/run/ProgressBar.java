package dev.lodestone.infra.run;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr: redrawn in place ({@code \r}) on a terminal, else printed as a
 * new line at most every {@code lineInterval} seconds (so that logs and CI output stay readable).
 */
public final class ProgressBar {
  private static final int WIDTH = 24;

  private final PrintWriter err;
  private final boolean terminal;
  private final long lineIntervalNanos;
  private long lastLine = Long.MIN_VALUE;
  private int lastLength;

  /**
   * A progress bar.
   *
   * @param err where to draw
   * @param terminal redraw in place
   * @param lineIntervalSeconds seconds between lines when not on a terminal
   */
  public ProgressBar(PrintWriter err, boolean terminal, long lineIntervalSeconds) {
    this.err = err;
    this.terminal = terminal;
    this.lineIntervalNanos = lineIntervalSeconds * 1_000_000_000L;
  }

  /** Draws the progress (on a terminal every call; otherwise when a line is due). */
  public void update(Progress p) {
    long now = System.nanoTime();
    if (terminal) {
      String line = render(p);
      String pad = " ".repeat(Math.max(0, lastLength - line.length()));
      err.print("\r" + line + pad);
      err.flush();
      lastLength = line.length();
    } else if (lastLine == Long.MIN_VALUE || now - lastLine >= lineIntervalNanos) {
      err.println(render(p));
      err.flush();
      lastLine = now;
    }
  }

  /** Draws the last state and ends the line. */
  public void finish(Progress p) {
    if (terminal) {
      update(p);
      err.println();
    } else {
      err.println(render(p));
    }
    err.flush();
  }

  /** The bar as text. */
  static String render(Progress p) {
    double f = Math.max(0, Math.min(1, p.fraction()));
    int filled = (int) Math.round(f * WIDTH);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%3d%% [", Math.round(f * 100)));
    b.append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ");
    b.append(String.format(Locale.ROOT, "step %d", p.step()));
    b.append(
        p.policyVersion() < 0 ? "  v -" : String.format(Locale.ROOT, "  v %d", p.policyVersion()));
    b.append(
        Double.isNaN(p.exploitability())
            ? "  expl -"
            : String.format(Locale.ROOT, "  expl %.4f", p.exploitability()));
    b.append(
        Double.isNaN(p.pairsPerSecond())
            ? "  pairs/s -"
            : String.format(Locale.ROOT, "  pairs/s %.1f", p.pairsPerSecond()));
    b.append(String.format(Locale.ROOT, "  stale %.2f v", p.stalenessVersions()));
    long s = p.elapsedSeconds();
    b.append(String.format(Locale.ROOT, "  %02d:%02d", s / 60, s % 60));
    return b.toString();
  }
}
