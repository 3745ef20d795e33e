package dev.lodestone.infra.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG plots of the duality gap against the iteration, log-scale y axis, one line per series, made
 * with XChart. Gaps at or below {@value #FLOOR} (exact convergence, or rounding noise around 0) are
 * drawn at the floor so that the log scale can show them.
 */
public final class GapPlots {

  /** Lowest gap drawn: below double rounding of a win rate near 1/2. */
  public static final double FLOOR = 1e-16;

  /** Most points drawn per series; longer traces are thinned evenly (the last point is kept). */
  public static final int MAX_POINTS = 2000;

  /** One distinct color per series, in order (the tab10 palette). */
  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xff7f0e),
    new Color(0x9467bd),
    new Color(0x2ca02c),
    new Color(0xd62728),
    new Color(0x8c564b),
    new Color(0xe377c2),
    new Color(0x7f7f7f),
    new Color(0xbcbd22),
    new Color(0x17becf)
  };

  private GapPlots() {}

  /**
   * Writes a PNG of the series (name to gap trace, index = iteration) to {@code file}, creating its
   * directory if needed.
   */
  public static void save(Path file, String title, Map<String, double[]> series)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart chart =
        new XYChartBuilder()
            .width(960)
            .height(600)
            .title(title)
            .xAxisTitle("iteration")
            .yAxisTitle("duality gap (log scale)")
            .build();
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setYAxisMin(FLOOR);
    chart.getStyler().setYAxisMax(1.0);
    chart.getStyler().setMarkerSize(0);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
    int index = 0;
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      double[] g = e.getValue();
      int stride = Math.max(1, (g.length + MAX_POINTS - 1) / MAX_POINTS);
      int count = (g.length - 1) / stride + 1;
      boolean addLast = (g.length - 1) % stride != 0;
      double[] x = new double[count + (addLast ? 1 : 0)];
      double[] y = new double[x.length];
      for (int k = 0; k < count; k++) {
        x[k] = (double) k * stride;
        y[k] = Math.max(FLOOR, g[k * stride]);
      }
      if (addLast) {
        x[count] = g.length - 1;
        y[count] = Math.max(FLOOR, g[g.length - 1]);
      }
      XYSeries s = chart.addSeries(e.getKey(), x, y);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(PALETTE[index++ % PALETTE.length]);
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
