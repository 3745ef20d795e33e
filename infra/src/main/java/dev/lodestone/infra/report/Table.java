package dev.lodestone.infra.report;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A text table for the benchmarks' output: columns sized to their widest cell, text left-aligned,
 * numbers right-aligned (a column is right-aligned when {@link #right} says so), drawn either as a
 * Markdown table (pasted into docs/ as it is) or as plain columns.
 *
 * <pre>{@code
 * Table t = Table.of("game", "algorithm", "final gap").right(2);
 * t.row("rps", "mpo", "1.0e-07");
 * t.printMarkdown(out);
 * }</pre>
 */
public final class Table {
  private final List<String> headers;
  private final boolean[] right;
  private final List<List<String>> rows = new ArrayList<>();

  private Table(List<String> headers) {
    this.headers = List.copyOf(headers);
    this.right = new boolean[headers.size()];
  }

  /** A table with these column headers. */
  public static Table of(String... headers) {
    return new Table(Arrays.asList(headers));
  }

  /** Right-aligns the given columns (0-based). */
  public Table right(int... columns) {
    for (int c : columns) {
      right[c] = true;
    }
    return this;
  }

  /** Adds a row, one cell per column ({@code null} prints as {@code -}). */
  public Table row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException(
          "a row needs " + headers.size() + " cells, got " + cells.length);
    }
    List<String> r = new ArrayList<>(cells.length);
    for (Object c : cells) {
      r.add(c == null ? "-" : c.toString());
    }
    rows.add(r);
    return this;
  }

  /** Rows added so far. */
  public int size() {
    return rows.size();
  }

  /** {@code | a | b |} rows under a header and a {@code |---|} rule. */
  public void printMarkdown(PrintWriter out) {
    int[] w = widths();
    out.println(line(headers, w, "| ", " | ", " |"));
    StringBuilder rule = new StringBuilder("|");
    for (int width : w) {
      rule.append("-".repeat(width + 2)).append('|');
    }
    out.println(rule);
    for (List<String> r : rows) {
      out.println(line(r, w, "| ", " | ", " |"));
    }
  }

  /** Plain columns separated by two spaces, the header first. */
  public void printPlain(PrintWriter out) {
    int[] w = widths();
    out.println(line(headers, w, "", "  ", "").stripTrailing());
    for (List<String> r : rows) {
      out.println(line(r, w, "", "  ", "").stripTrailing());
    }
  }

  private int[] widths() {
    int[] w = new int[headers.size()];
    for (int c = 0; c < w.length; c++) {
      w[c] = headers.get(c).length();
      for (List<String> r : rows) {
        w[c] = Math.max(w[c], r.get(c).length());
      }
    }
    return w;
  }

  private String line(List<String> cells, int[] w, String open, String sep, String close) {
    StringBuilder b = new StringBuilder(open);
    for (int c = 0; c < w.length; c++) {
      if (c > 0) {
        b.append(sep);
      }
      String cell = cells.get(c);
      String pad = " ".repeat(w[c] - cell.length());
      b.append(right[c] ? pad + cell : cell + pad);
    }
    return b.append(close).toString();
  }
}
