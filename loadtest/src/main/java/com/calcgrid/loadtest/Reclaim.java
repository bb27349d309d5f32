package com.calcgrid.loadtest;

import static com.calcgrid.loadtest.Bench.fmt;
import static com.calcgrid.loadtest.Bench.log;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Disk given back by deleting jobs, on H2 and on PostgreSQL: jobs of large results (util.blob)
 * fill the journal, every job is deleted over the API, and the database's size is read after
 * each step an operator can take (nothing; H2: a graceful stop, SHUTDOWN COMPACT; PostgreSQL:
 * VACUUM, VACUUM FULL). The floor is the size of the same database before any job ran.
 */
final class Reclaim {
  private static final int BLOB = 64 * 1024;

  private Reclaim() {}

  private static String graph(int tasks) {
    return """
        {"name": "reclaim", "tasks": [{"id": "b", "fn": "util.blob",
          "params": {"bytes": %d}, "forEach": {"param": "seed", "range": [0, %d]}}]}"""
        .formatted(BLOB, tasks);
  }

  static void run(Bench bench) throws Exception {
    int jobs = bench.quick() ? 5 : 20;
    int tasks = 64;
    h2(bench, jobs, tasks);
    postgres(bench, jobs, tasks, false);
    postgres(bench, jobs, tasks, true);
  }

  /** Runs the jobs, then deletes them all; returns the median DELETE time in ms. */
  private static double fillAndDelete(Client c, int jobs, int tasks, Runnable measured)
      throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      String id = c.submit(graph(tasks));
      c.awaitFinished(id, Duration.ofMinutes(5));
      ids.add(id);
    }
    measured.run();
    double[] ms = new double[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      long t = System.nanoTime();
      HttpResponse<String> r = c.delete("/api/v1/jobs/" + ids.get(i));
      ms[i] = (System.nanoTime() - t) / 1e6;
      if (r.statusCode() != 204) {
        throw new IllegalStateException("DELETE answered " + r.statusCode() + ": " + r.body());
      }
    }
    Arrays.sort(ms);
    return ms[ms.length / 2];
  }

  private static void h2(Bench bench, int jobs, int tasks) throws Exception {
    Path data = Files.createTempDirectory(bench.work(), "reclaim-h2-data");
    Path file = data.resolve("calcgrid.mv.db");
    long[] full = new long[1];
    long[] refilled = new long[1];
    long empty;
    double deleteMs;
    long afterDelete;
    try (Node node = Node.start(bench, "reclaim-h2",
        Map.of("CALCGRID_DATA_DIR", data.toString()))) {
      node.awaitReady(Duration.ofMinutes(2));
      empty = Files.size(file);
      deleteMs = fillAndDelete(node.client(), jobs, tasks, () -> full[0] = size(file));
      afterDelete = Files.size(file);
      // the same jobs again, into the space the deleted ones left
      fillAndDelete(node.client(), jobs, tasks, () -> refilled[0] = size(file));
    }
    long afterStop = Files.size(file);
    try (Connection db = DriverManager.getConnection("jdbc:h2:file:" + data.resolve("calcgrid"),
        "sa", ""); Statement st = db.createStatement()) {
      st.execute("SHUTDOWN COMPACT");
    }
    long compacted = Files.size(file);
    log("H2: empty %s, %d jobs %s, deleted %s, the same jobs again %s, stopped %s,"
        + " SHUTDOWN COMPACT %s; DELETE %.0f ms", mb(empty), jobs, mb(full[0]), mb(afterDelete),
        mb(refilled[0]), mb(afterStop), mb(compacted), deleteMs);
    bench.add(new Row("reclaim: H2", fmt("%s of %d jobs -> deleted %s -> the same again %s"
            + " -> stopped %s -> SHUTDOWN COMPACT %s", mb(full[0]), jobs, mb(afterDelete),
        mb(refilled[0]), mb(afterStop), mb(compacted)), "disk given back",
        compacted < full[0], mb(empty),
        fmt("%.2f", compacted / (double) empty), fmt("median DELETE %.0f ms", deleteMs)));
  }

  /**
   * {@code uncompressed}: the payload columns stored without TOAST compression, as results that
   * do not compress (util.blob's letters repeat every 26, which pglz shrinks about 50 times).
   */
  private static void postgres(Bench bench, int jobs, int tasks, boolean uncompressed)
      throws Exception {
    String admin = bench.postgresUrl();
    String workload = "reclaim: PostgreSQL" + (uncompressed ? ", uncompressed" : "");
    if (admin == null) {
      bench.add(Row.notRun(workload, "disk given back",
          "no PostgreSQL (run through loadtest/run)"));
      return;
    }
    String name = "calcgrid_reclaim_" + Long.toHexString(System.nanoTime());
    try (Connection conn = DriverManager.getConnection(admin, bench.postgresUser(), "");
        Statement st = conn.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
    String url = admin.substring(0, admin.lastIndexOf('/') + 1) + name;
    try (Node node = Node.start(bench, "reclaim-pg", Map.of(
            "CALCGRID_CONFIG", bench.root().resolve("conf/postgres.conf").toString(),
            "CALCGRID_DB_URL", url, "CALCGRID_DB_USER", bench.postgresUser(),
            "CALCGRID_DB_PASSWORD", ""));
        Connection db = DriverManager.getConnection(url, bench.postgresUser(), "")) {
      node.awaitReady(Duration.ofMinutes(2));
      if (uncompressed) {
        try (Statement st = db.createStatement()) {
          st.execute("ALTER TABLE event_journal ALTER COLUMN event_payload SET STORAGE EXTERNAL");
          st.execute("ALTER TABLE snapshot ALTER COLUMN snapshot_payload SET STORAGE EXTERNAL");
        }
      }
      long empty = tables(db);
      long[] full = new long[1];
      double deleteMs = fillAndDelete(node.client(), jobs, tasks, () -> full[0] = tables(db));
      long afterDelete = tables(db);
      try (Statement st = db.createStatement()) {
        st.execute("VACUUM event_journal, snapshot, event_tag, calcgrid_jobs");
      }
      long vacuumed = tables(db);
      try (Statement st = db.createStatement()) {
        st.execute("VACUUM FULL event_journal, snapshot, event_tag, calcgrid_jobs");
      }
      long full2 = tables(db);
      log("%s: empty %s, %d jobs %s, deleted %s, VACUUM %s, VACUUM FULL %s;"
          + " DELETE %.0f ms", workload, mb(empty), jobs, mb(full[0]), mb(afterDelete),
          mb(vacuumed), mb(full2), deleteMs);
      bench.add(new Row(workload, fmt("%s of %d jobs -> deleted %s -> VACUUM %s"
              + " -> VACUUM FULL %s", mb(full[0]), jobs, mb(afterDelete), mb(vacuumed),
          mb(full2)), "disk given back", full2 < full[0], mb(empty),
          fmt("%.2f", full2 / (double) Math.max(1, empty)),
          fmt("median DELETE %.0f ms; journal tables incl. TOAST and indexes", deleteMs)));
    }
  }

  /** The journal's tables with their TOAST and indexes. */
  private static long tables(Connection db) {
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT pg_total_relation_size('event_journal') + pg_total_relation_size('snapshot')"
            + " + pg_total_relation_size('event_tag') + pg_total_relation_size('calcgrid_jobs')")) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String mb(long bytes) {
    return fmt("%.2f MB", bytes / 1e6);
  }
}
