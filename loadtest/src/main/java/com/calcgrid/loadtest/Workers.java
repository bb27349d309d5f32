package com.calcgrid.loadtest;

import static com.calcgrid.loadtest.Bench.fmt;
import static com.calcgrid.loadtest.Bench.log;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * External workers through the gateway of one node: no-op Python tasks through one worker
 * process next to the same count of in-JVM tasks; 200 worker connections (hand-out latency and
 * node heap per connection); and a Python worker killed with SIGKILL mid-job.
 */
final class Workers {
  private static final Duration WAIT = Duration.ofMinutes(5);

  private Workers() {}

  static void run(Bench bench) throws Exception {
    // the node's own worker has as many slots as the Python worker, for the in-JVM baseline
    try (Node node = Node.start(bench, "workers", Map.of("CALCGRID_SLOTS", "8"))) {
      node.awaitReady(Duration.ofMinutes(2));
      python(bench, node);
      connections(bench, node);
      killed(bench, node);
    }
  }

  /** A fan-out of {@code n} tasks of {@code fn} between a util.sum root and a util.sum sink. */
  private static String fanOut(String fn, int n, String extraParams) {
    return "{\"name\":\"" + fn + "-" + n + "\",\"tasks\":["
        + "{\"id\":\"root\",\"fn\":\"util.sum\",\"params\":{\"value\":0}},"
        + "{\"id\":\"item\",\"fn\":\"" + fn + "\",\"deps\":[\"root\"]" + extraParams + ","
        + "\"forEach\":{\"param\":\"value\",\"range\":[0," + n + "]}},"
        + "{\"id\":\"total\",\"fn\":\"util.sum\",\"params\":{\"value\":0},\"deps\":[\"item\"]}]}";
  }

  /** Seconds from just before the POST to the finish the node recorded; checks the sum. */
  private static double timed(Client c, String graph, int n) throws Exception {
    long t0 = System.currentTimeMillis();
    String id = c.submit(graph);
    JsonNode job = c.awaitFinished(id, WAIT);
    if (!"SUCCEEDED".equals(job.path("state").asText())) {
      throw new IllegalStateException("job ended " + job);
    }
    long sum = c.results(id).path("results").path("total").asLong();
    if (sum != (long) n * (n - 1) / 2) {
      throw new IllegalStateException("wrong sum " + sum + " of " + n + " tasks");
    }
    return (Instant.parse(job.get("finishedAt").asText()).toEpochMilli() - t0) / 1000.0;
  }

  /** (a) 30,000 no-op tasks through one Python worker with 8 slots, and in the JVM. */
  private static void python(Bench bench, Node node) throws Exception {
    int n = 30_000;
    Client c = node.client();
    try (PythonWorker w = PythonWorker.start(bench, node, "bench-py", 8)) {
      PythonWorker.awaitConnected(c, "bench-py", 1, Duration.ofSeconds(60));
      // warm-up of both paths: compiled code on the node, a warm pool in Python
      timed(c, fanOut("py.noop", 3_000, ""), 3_000);
      timed(c, fanOut("util.sum", 3_000, ""), 3_000);
      int runs = bench.quick() ? 1 : 3;
      double[] py = new double[runs];
      double[] jvm = new double[runs];
      for (int r = 0; r < runs; r++) {
        double pyCpu0 = cpuSeconds(w.pid());
        double nodeCpu0 = node.cpuSeconds();
        py[r] = timed(c, fanOut("py.noop", n, ""), n);
        log("%,d py.noop tasks through one Python worker: %.2f s, %,.0f tasks/s; CPU: Python"
            + " %.1f s, node %.1f s", n, py[r], n / py[r], cpuSeconds(w.pid()) - pyCpu0,
            node.cpuSeconds() - nodeCpu0);
        jvm[r] = timed(c, fanOut("util.sum", n, ""), n);
        log("%,d util.sum tasks in the JVM: %.2f s, %,.0f tasks/s", n, jvm[r], n / jvm[r]);
      }
      double pyRate = n / Throughput.median(py);
      double jvmRate = n / Throughput.median(jvm);
      bench.add(new Row(fmt("%,dk no-op Python tasks, 1 worker x 8 slots", n / 1000),
          fmt("%,.0f tasks/s%s", pyRate, runs > 1 ? " (median of " + runs + ")" : ""),
          ">= 5,000 tasks/s", pyRate >= 5_000,
          fmt("%,.0f tasks/s (util.sum in the JVM, 8 slots)", jvmRate),
          fmt("%.1f", jvmRate / pyRate), "end to end, POST to finish; sum checked"));
    }
  }

  /** CPU time of a process so far (user + system), from /proc. */
  private static double cpuSeconds(long pid) throws Exception {
    String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  /** (b) 200 connections of one slot each: hand-out latency and heap per connection. */
  private static void connections(Bench bench, Node node) throws Exception {
    int count = 200;
    int tasks = bench.quick() ? 10_000 : 40_000;
    Client c = node.client();
    long before = node.liveHeapBytes();
    HttpClient http = HttpClient.newHttpClient();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicInteger answered = new AtomicInteger();
    List<SimulatedWorker> workers = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        workers.add(SimulatedWorker.connect(http, node.httpPort(), "sim-" + i, "py.sim",
            latencies, answered));
      }
      PythonWorker.awaitConnected(c, "sim-", count, Duration.ofSeconds(60));
      long after = node.liveHeapBytes();
      double perConnection = (after - before) / (double) count;
      log("%d connections: live heap %,d -> %,d bytes, %,.0f bytes per connection", count,
          before, after, perConnection);
      timed(c, fanOut("py.sim", 2_000, ""), 2_000);
      latencies.clear();
      double cpu0 = node.cpuSeconds();
      double seconds = timed(c, fanOut("py.sim", tasks, ""), tasks);
      double cpu = node.cpuSeconds() - cpu0;
      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      double p50 = percentile(sorted, 0.50) / 1e6;
      double p99 = percentile(sorted, 0.99) / 1e6;
      log("%,d tasks over %d connections in %.2f s (%,.0f tasks/s); report-to-next-task p50"
          + " %.2f ms, p99 %.2f ms over %,d hand-outs; node CPU %.1f s", tasks, count, seconds,
          tasks / seconds, p50, p99, sorted.size(), cpu);
      bench.add(new Row(fmt("%d worker connections: hand-out latency", count),
          fmt("p50 %.1f ms, p99 %.1f ms", p50, p99), "-", null, "-", "-",
          fmt("report to next task, 1 slot each, %,d tasks at %,.0f tasks/s", tasks,
              tasks / seconds)));
      bench.add(new Row(fmt("%d worker connections: node heap", count),
          fmt("%,.0f bytes per connection", perConnection), "-", null, "-", "-",
          "live heap after a full GC, idle connections, less before"));
    } finally {
      workers.forEach(SimulatedWorker::close);
    }
  }

  /** (c) kill -9 of one of three Python workers mid-job: time until its tasks run elsewhere. */
  private static void killed(Bench bench, Node node) throws Exception {
    int n = 600;
    Client c = node.client();
    List<PythonWorker> workers = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        workers.add(PythonWorker.start(bench, node, "kill-" + i, 4));
      }
      PythonWorker.awaitConnected(c, "kill-", 3, Duration.ofSeconds(60));
      PythonWorker victim = workers.get(0);
      String id = c.submit(fanOut("py.sleep", n, ",\"params\":{\"ms\":200}"));
      c.awaitJob(id, WAIT, Duration.ofMillis(10), j -> Client.succeeded(j) >= n / 4);
      // what the worker holds (running or queued) just before it dies; the node notices the
      // closed socket within milliseconds, so this cannot wait until after the kill
      Set<String> held = new HashSet<>();
      JsonNode page = Client.JSON.readTree(c.get("/api/v1/jobs/" + id
          + "/tasks?state=RUNNING&limit=200").body());
      for (JsonNode t : page.path("tasks")) {
        if (t.path("node").asText().endsWith("/" + victim.name)) {
          held.add(t.get("id").asText());
        }
      }
      if (held.isEmpty()) {
        throw new IllegalStateException(victim.name + " held no task just before the kill: "
            + page);
      }
      victim.kill();
      long killedAt = System.nanoTime();
      long movedAt = 0;
      long requeuedAt = 0;
      while (movedAt == 0 && System.nanoTime() - killedAt < WAIT.toNanos()) {
        boolean all = true;
        boolean lostAll = true;
        for (String task : List.copyOf(held)) {
          JsonNode t = task(c, id, task);
          String state = t.path("state").asText();
          boolean onVictim = t.path("node").asText().endsWith("/" + victim.name);
          if (onVictim && state.equals("SUCCEEDED") && t.path("lostWorkers").asInt() == 0) {
            held.remove(task); // it finished in the moment between the listing and the kill
            continue;
          }
          all &= !onVictim && (state.equals("RUNNING") || state.equals("SUCCEEDED"));
          lostAll &= t.path("lostWorkers").asInt() >= 1;
        }
        if (lostAll && requeuedAt == 0) {
          requeuedAt = System.nanoTime();
        }
        if (all) {
          movedAt = System.nanoTime();
        } else {
          Thread.sleep(5);
        }
      }
      int lost = 0;
      for (String task : held) {
        lost += task(c, id, task).path("lostWorkers").asInt();
      }
      double movedMs = (movedAt - killedAt) / 1e6;
      double requeuedMs = (requeuedAt - killedAt) / 1e6;
      JsonNode job = c.awaitFinished(id, WAIT);
      long sum = c.results(id).path("results").path("total").asLong();
      boolean right = "SUCCEEDED".equals(job.path("state").asText())
          && sum == (long) n * (n - 1) / 2;
      log("kill -9 of %s holding %d task(s) %s: counted lost and READY again after %.0f ms, ran"
          + " elsewhere after %.0f ms (lostWorkers %d); job %s, sum %d", victim.name,
          held.size(), held, requeuedMs, movedMs, lost, job.path("state").asText(), sum);
      bench.add(new Row("kill -9 of a Python worker mid-job", fmt("its %d tasks READY again"
          + " %.0f ms after the kill, running elsewhere after %.1f s", held.size(), requeuedMs,
          movedMs / 1000), "job right", right && movedAt > 0, "-", "-", fmt("3 workers x 4"
          + " slots, %d tasks of 200 ms; job %s, sum %s",
          n, job.path("state").asText(), right ? "right" : "WRONG " + sum)));
    } finally {
      for (PythonWorker w : workers) {
        w.close();
      }
    }
  }

  private static JsonNode task(Client c, String job, String task) throws Exception {
    return Client.JSON.readTree(c.get("/api/v1/jobs/" + job + "/tasks/"
        + java.net.URLEncoder.encode(task, java.nio.charset.StandardCharsets.UTF_8)).body());
  }

  private static double percentile(List<Long> sorted, double p) {
    return sorted.isEmpty() ? Double.NaN
        : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }
}
