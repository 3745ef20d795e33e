package dev.lodestone.infra.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * A PNG bar chart of a comparison: one group of bars per category (a game and its labels), one bar
 * per series (an algorithm) at its mean, with an error bar of its standard deviation. Made with
 * XChart.
 */
public final class ComparisonPlot {

  /** One series: its mean and standard deviation in each category, in the categories' order. */
  public record Series(double[] means, double[] sds) {}

  private ComparisonPlot() {}

  /** Writes the chart to {@code file}, creating its directory if needed. */
  public static void save(
      Path file, String title, String yTitle, List<String> categories, Map<String, Series> series)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(1200)
            .height(600)
            .title(title)
            .xAxisTitle("game / labels")
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setErrorBarsColor(java.awt.Color.DARK_GRAY);
    chart.getStyler().setYAxisMin(0.0);
    for (Map.Entry<String, Series> e : series.entrySet()) {
      chart.addSeries(
          e.getKey(),
          categories,
          java.util.Arrays.stream(e.getValue().means()).boxed().toList(),
          java.util.Arrays.stream(e.getValue().sds()).boxed().toList());
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
