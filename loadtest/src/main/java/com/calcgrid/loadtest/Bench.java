package com.calcgrid.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What every benchmark shares: where the repository and the outputs are, quick or full, the
 * PostgreSQL server (if any), and the rows and plot points measured so far.
 */
final class Bench {
  private final Path root;
  private final Path out;
  private final Path work;
  private final boolean quick;
  private final List<Row> rows = new ArrayList<>();
  private final List<String> throughput = new ArrayList<>();

  Bench(Path root, Path out, boolean quick) throws IOException {
    this.root = root;
    this.out = Files.createDirectories(out);
    this.work = Files.createTempDirectory("calcgrid-bench");
    this.quick = quick;
  }

  Path root() {
    return root;
  }

  /** loadtest/out: logs, CSV, Gatling reports. */
  Path out() {
    return out;
  }

  /** Scratch space for data directories; removed at the end. */
  Path work() {
    return work;
  }

  boolean quick() {
    return quick;
  }

  /** The admin URL of the throwaway PostgreSQL (loadtest/run starts one), or null. */
  String postgresUrl() {
    String url = System.getenv("CALCGRID_TEST_PG_URL");
    return url == null || url.isBlank() ? null : url;
  }

  String postgresUser() {
    return System.getenv().getOrDefault("CALCGRID_TEST_PG_USER", "postgres");
  }

  void add(Row row) {
    rows.add(row);
    System.out.println("  => " + row.workload() + ": " + row.figure() + " (target "
        + row.target() + ", met " + row.metText() + ", floor " + row.floor() + ", x"
        + row.ratio() + ")" + (row.note().isEmpty() ? "" : " " + row.note()));
  }

  List<Row> rows() {
    return rows;
  }

  /** A point of the throughput-against-size plot. */
  void throughputPoint(String series, int tasks, double tasksPerSecond) {
    throughput.add(String.format(Locale.ROOT, "%s,%d,%.1f", series, tasks, tasksPerSecond));
  }

  List<String> throughputPoints() {
    return throughput;
  }

  static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[%tT] " + format + "%n",
        prepend(System.currentTimeMillis(), args));
  }

  private static Object[] prepend(Object first, Object[] rest) {
    Object[] all = new Object[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
