package com.calcgrid.loadtest;

import static com.calcgrid.loadtest.Bench.fmt;
import static com.calcgrid.loadtest.Bench.log;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * Scheduling speed on one durable node: fan-out/fan-in graphs of growing size, a long chain, and
 * the 100k fan-out again on PostgreSQL. Every figure is end to end, from the POST to the job's
 * finish time as the node recorded it, after a warm-up of smaller graphs on the same node.
 */
final class Throughput {
  /** One job run: seconds end to end and the result of the sink task. */
  record Run(double seconds, long sinkResult) {}

  private Throughput() {}

  /**
   * Fan-outs of 1k to 100k and the 10k chain, on embedded H2. No 1M fan-out here: its sink would
   * receive a million results, which calcgrid.limits.max-task-inputs (200,000) refuses, as it
   * should; a million tasks are the million row's (no sink).
   */
  static void h2(Bench bench) throws Exception {
    try (Node node = Node.start(bench, "throughput-h2", Map.of())) {
      node.awaitReady(Duration.ofMinutes(2));
      Client c = node.client();
      warmUp(c);
      int[] sizes = {1_000, 10_000, 100_000};
      for (int size : sizes) {
        fanOut(bench, c, size, size == 100_000 && !bench.quick() ? 3 : 1, "H2");
      }
      chain(bench, c, 10_000, bench.quick() ? 1 : 3);
    }
  }

  /** The 100k fan-out with the journal on PostgreSQL (the throwaway server loadtest/run starts). */
  static void postgres(Bench bench) throws Exception {
    String admin = bench.postgresUrl();
    String workload = "fan-out 100k, PostgreSQL";
    String target = ">= 10,000 tasks/s";
    if (admin == null) {
      bench.add(Row.notRun(workload, target, "no PostgreSQL (run through loadtest/run)"));
      return;
    }
    String db = "calcgrid_bench_" + Long.toHexString(System.nanoTime());
    try (Connection conn = DriverManager.getConnection(admin, bench.postgresUser(), "");
        Statement st = conn.createStatement()) {
      st.execute("CREATE DATABASE " + db);
    }
    String url = admin.substring(0, admin.lastIndexOf('/') + 1) + db;
    try (Node node = Node.start(bench, "throughput-pg", Map.of(
        "CALCGRID_CONFIG", bench.root().resolve("conf/postgres.conf").toString(),
        "CALCGRID_DB_URL", url, "CALCGRID_DB_USER", bench.postgresUser(),
        "CALCGRID_DB_PASSWORD", ""))) {
      node.awaitReady(Duration.ofMinutes(2));
      Client c = node.client();
      warmUp(c);
      fanOut(bench, c, 100_000, bench.quick() ? 1 : 3, "PostgreSQL");
    }
  }

  /** Small jobs first, so that the measured runs see compiled code (the first is 2-3x slower). */
  private static void warmUp(Client c) throws Exception {
    long t = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      run(c, Graphs.fanOut(10_000));
    }
    run(c, Graphs.chain(1_000));
    log("warm-up (3 x fan-out 10k, chain 1k) took %.1f s", (System.nanoTime() - t) / 1e9);
  }

  private static void fanOut(Bench bench, Client c, int items, int repeats, String db)
      throws Exception {
    Graphs.Workload w = Graphs.fanOut(items);
    int tasks = w.floor().n;
    double[] seconds = new double[repeats];
    long sink = 0;
    for (int r = 0; r < repeats; r++) {
      Run run = run(c, w);
      seconds[r] = run.seconds();
      sink = run.sinkResult();
      log("%s on %s: %.2f s, %.0f tasks/s", w.name(), db, run.seconds(), tasks / run.seconds());
    }
    double median = median(seconds);
    Floor.Run floor = floorBest(w.floor(), 5);
    long expected = floor.results()[tasks - 1];
    double rate = tasks / median;
    double floorRate = tasks / floor.seconds();
    bench.throughputPoint("CalcGrid (" + db + ")", tasks, rate);
    if (db.equals("H2")) {
      bench.throughputPoint("floor (ForkJoinPool in process)", tasks, floorRate);
    }
    if (items != 100_000) {
      return;
    }
    String target = db.equals("H2") ? ">= 20,000 tasks/s" : ">= 10,000 tasks/s";
    double needed = db.equals("H2") ? 20_000 : 10_000;
    bench.add(new Row("fan-out 100k, " + db, fmt("%,.0f tasks/s (%.2f s%s)", rate, median,
        repeats > 1 ? ", median of " + repeats : ""), target, rate >= needed && sink == expected,
        fmt("%,.0f tasks/s", floorRate), fmt("%.0f", floorRate / rate),
        sink == expected ? "" : "WRONG RESULT " + sink + " != " + expected));
  }

  private static void chain(Bench bench, Client c, int steps, int repeats) throws Exception {
    Graphs.Workload w = Graphs.chain(steps);
    double[] perStep = new double[repeats];
    long sink = 0;
    for (int r = 0; r < repeats; r++) {
      Run run = run(c, w);
      perStep[r] = run.seconds() * 1000 / steps;
      sink = run.sinkResult();
      log("%s: %.2f s, %.3f ms/step", w.name(), run.seconds(), perStep[r]);
    }
    double median = median(perStep);
    double[] floorPerStep = new double[5];
    for (int r = 0; r < floorPerStep.length; r++) {
      floorPerStep[r] = Floor.run(w.floor(), 2).seconds() * 1000 / steps;
    }
    double floor = median(floorPerStep);
    bench.add(new Row("chain of 10k, H2", fmt("%.3f ms/step%s", median,
        repeats > 1 ? " (median of " + repeats + " runs)" : ""), "<= 1 ms/step",
        median <= 1.0 && sink == steps, fmt("%.5f ms/step", floor), fmt("%.0f", median / floor),
        sink == steps ? "" : "WRONG RESULT " + sink));
  }

  /** Posts the graph and waits for it; seconds from just before the POST to the job's finish. */
  static Run run(Client c, Graphs.Workload w) throws Exception {
    long t0 = System.currentTimeMillis();
    String id = c.submit(w.json());
    JsonNode job = c.awaitFinished(id, Duration.ofMinutes(10));
    if (!"SUCCEEDED".equals(job.path("state").asText())) {
      throw new IllegalStateException(w.name() + " ended " + job);
    }
    long finished = Instant.parse(job.get("finishedAt").asText()).toEpochMilli();
    JsonNode results = c.results(id).path("results");
    long sink = 0;
    var it = results.elements();
    while (it.hasNext() && results.size() == 1) {
      sink = it.next().asLong();
    }
    return new Run((finished - t0) / 1000.0, sink);
  }

  /** The floor's best of a few runs (its first runs warm up its own code). */
  static Floor.Run floorBest(FloorGraph g, int runs) throws InterruptedException {
    Floor.Run best = null;
    for (int i = 0; i < runs; i++) {
      Floor.Run r = Floor.run(g, 2);
      if (best == null || r.nanos() < best.nanos()) {
        best = r;
      }
    }
    return best;
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
