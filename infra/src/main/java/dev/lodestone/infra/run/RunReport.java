package dev.lodestone.infra.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report directory of a run: {@code exploitability.png} (exploitability against the learner
 * step, log scale), {@code strategies.png} (each strategy's probability against the step, with the
 * Nash equilibrium dashed), {@code evaluations.csv} (the evaluations plotted) and {@code
 * summary.json} (the {@link RunSummary} and the run's details). Plots are made with XChart; with no
 * evaluation there is nothing to plot and only the CSV header and the summary are written.
 */
public final class RunReport {

  /** Lowest exploitability drawn on the log scale. */
  static final double FLOOR = 1e-5;

  private static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xff7f0e),
    new Color(0x2ca02c),
    new Color(0xd62728),
    new Color(0x9467bd),
    new Color(0x8c564b),
    new Color(0xe377c2),
    new Color(0x7f7f7f),
    new Color(0xbcbd22),
    new Color(0x17becf)
  };

  private RunReport() {}

  /**
   * Writes the report into {@code dir} (created if missing).
   *
   * @param summary the outcome
   * @param details further facts for {@code summary.json} under {@code "details"}
   * @param points the evaluations, in version order
   * @param strategies the game's strategies, in order
   * @return the files written
   */
  public static List<Path> write(
      Path dir,
      RunSummary summary,
      ObjectNode details,
      List<EvalPoint> points,
      List<String> strategies)
      throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    // The text files first: they hold the figures, whatever happens to the plots.
    files.add(csv(dir.resolve("evaluations.csv"), points, strategies));
    ObjectNode json = summary.toJson();
    json.set("details", details);
    Path file = dir.resolve("summary.json");
    Files.writeString(
        file,
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json)
            + "\n",
        StandardCharsets.UTF_8);
    files.add(file);
    if (!points.isEmpty()) {
      prepare();
      files.add(exploitabilityPlot(dir.resolve("exploitability.png"), summary, points));
      files.add(strategyPlot(dir.resolve("strategies.png"), summary, points, strategies));
    }
    return files;
  }

  /**
   * Loads the plotting machinery (headless Java2D, fonts) by drawing an empty chart in memory. Call
   * it early in a long run: Java2D registers a shutdown hook when it first loads fonts, which fails
   * once the JVM shuts down (after Ctrl-C), so a report drawn then needs it loaded before.
   */
  public static void prepare() throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart chart = chart("", "");
    chart.addSeries("-", new double[] {0, 1}, new double[] {0, 1});
    Path probe = Files.createTempFile("lodestone-plot-", ".png");
    try {
      save(chart, probe);
    } finally {
      Files.deleteIfExists(probe);
    }
  }

  private static Path exploitabilityPlot(Path file, RunSummary s, List<EvalPoint> points)
      throws IOException {
    XYChart chart =
        chart(s.task() + " (" + s.algorithm() + "): exploitability", "exploitability (log scale)");
    chart.getStyler().setYAxisLogarithmic(true);
    double[] x = new double[points.size()];
    double[] y = new double[points.size()];
    for (int k = 0; k < x.length; k++) {
      x[k] = points.get(k).step();
      double e = points.get(k).exploitability();
      y[k] = Double.isFinite(e) ? Math.max(FLOOR, e) : FLOOR;
    }
    // Whole decades at both ends: XChart labels a log axis only at powers of ten, so a trace within
    // one decade would show no label at all.
    double lo = Arrays.stream(y).min().orElse(FLOOR);
    double hi = Arrays.stream(y).max().orElse(1);
    chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lo))));
    chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(hi) + 1e-12)));
    XYSeries series = chart.addSeries("exploitability", x, y);
    series.setMarker(SeriesMarkers.NONE);
    series.setLineColor(PALETTE[0]);
    return save(chart, file);
  }

  private static Path strategyPlot(
      Path file, RunSummary s, List<EvalPoint> points, List<String> strategies) throws IOException {
    XYChart chart =
        chart(s.task() + " (" + s.algorithm() + "): strategy probabilities", "probability");
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(1.0);
    double[] x = new double[points.size()];
    for (int k = 0; k < x.length; k++) {
      x[k] = points.get(k).step();
    }
    double x0 = x[0];
    double x1 = x.length > 1 ? x[x.length - 1] : x0 + 1;
    BasicStroke dashed =
        new BasicStroke(
            1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
    for (int i = 0; i < strategies.size(); i++) {
      String name = strategies.get(i);
      double[] y = new double[points.size()];
      for (int k = 0; k < y.length; k++) {
        y[k] = points.get(k).probabilities().getOrDefault(name, Double.NaN);
      }
      Color color = PALETTE[i % PALETTE.length];
      XYSeries series = chart.addSeries(name, x, y);
      series.setMarker(SeriesMarkers.NONE);
      series.setLineColor(color);
      Double nash = s.nash().get(name);
      if (nash != null && strategies.size() <= PALETTE.length) {
        XYSeries n =
            chart.addSeries(name + " (Nash)", new double[] {x0, x1}, new double[] {nash, nash});
        n.setMarker(SeriesMarkers.NONE);
        n.setLineColor(color);
        n.setLineStyle(dashed);
      }
    }
    return save(chart, file);
  }

  private static XYChart chart(String title, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(960)
            .height(600)
            .title(title)
            .xAxisTitle("learner step")
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setMarkerSize(0);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    return chart;
  }

  private static Path save(XYChart chart, Path file) throws IOException {
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    return file;
  }

  private static Path csv(Path file, List<EvalPoint> points, List<String> strategies)
      throws IOException {
    StringBuilder b =
        new StringBuilder("step,policyVersion,exploitability,winRateVsInitial,invalidMass");
    for (String s : strategies) {
      b.append(",prob:").append(s.replace(",", "_"));
    }
    b.append('\n');
    for (EvalPoint p : points) {
      b.append(p.step()).append(',').append(p.policyVersion());
      for (double v : new double[] {p.exploitability(), p.winRateVsInitial(), p.invalidMass()}) {
        b.append(',').append(format(v));
      }
      for (String s : strategies) {
        b.append(',').append(format(p.probabilities().getOrDefault(s, Double.NaN)));
      }
      b.append('\n');
    }
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    return file;
  }

  private static String format(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "";
  }
}
