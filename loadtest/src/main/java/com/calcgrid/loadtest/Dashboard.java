package com.calcgrid.loadtest;

import static com.calcgrid.loadtest.Bench.fmt;
import static com.calcgrid.loadtest.Bench.log;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A job of a million tasks open in the dashboard while it runs: the page's JS heap and DOM size
 * (Chrome DevTools Protocol {@code Performance.getMetrics}), the progress frames it receives and
 * the renders it makes per second, whether it stays smooth, and the node's extra CPU for serving
 * it. The page runs in Debian's Chromium through {@code src/test/dashboard/bench.mjs}.
 *
 * <p>Two jobs. The page's figures come from the harder one: a million {@code util.sum} tasks at
 * full speed, which sends the most progress frames. The node's extra CPU comes from a million
 * tasks of {@code util.sleep 1 ms}, whose own CPU is small and steady enough for a few
 * milliseconds a second to show: the median of the node's CPU over two windows with the page
 * open, minus the median of three windows without it, taken in turn.
 */
final class Dashboard {
  private static final int TASKS = 1_000_000;
  private static final int WINDOW_S = 10;
  private static final int SETTLE_S = 20;

  /** What one run of bench.mjs saw, and the node's CPU and tasks over its window. */
  private record Page(JsonNode metrics, double cpuSeconds, int tasks, double seconds) {}

  private Dashboard() {}

  static void run(Bench bench) throws Exception {
    Path scripts = bench.root().resolve("src/test/dashboard");
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    if (!Files.isExecutable(Path.of(chromium))
        || !Files.isDirectory(scripts.resolve("node_modules/playwright-core"))) {
      bench.add(Row.notRun("dashboard: 1M-task job open", "heap, updates/s, node CPU",
          "needs " + chromium + " and 'npm ci' in src/test/dashboard"));
      return;
    }
    try (Node node = Node.start(bench, "dashboard", Map.of())) {
      node.awaitReady(Duration.ofMinutes(2));
      Client c = node.client();
      Throughput.run(c, Graphs.fanOut(10_000));

      String fast = c.submit(Graphs.fanOut(TASKS).json());
      c.awaitJob(fast, Duration.ofMinutes(5), Duration.ofMillis(100),
          x -> Client.succeeded(x) >= TASKS / 20);
      Page busy = page(node, c, scripts, chromium, fast);
      log("page on the full-speed job: %s", busy.metrics());
      boolean running = busy.metrics().path("stillRunning").asBoolean();
      cancel(c, fast);

      String slow = c.submit("{\"name\":\"dashboard-slow\",\"tasks\":[{\"id\":\"t\","
          + "\"fn\":\"util.sleep\",\"params\":{\"ms\":1},\"forEach\":{\"param\":\"value\","
          + "\"range\":[0," + TASKS + "]}}]}");
      // the cancelled job's end (its events, snapshot and garbage) settles first
      c.awaitJob(slow, Duration.ofMinutes(5), Duration.ofMillis(100),
          x -> Client.succeeded(x) >= 5_000);
      Thread.sleep(SETTLE_S * 1000L);
      // without, with, without, with, without: the medians of each
      List<Double> without = new ArrayList<>();
      List<Double> with = new ArrayList<>();
      Page open = null;
      for (int i = 0; i < 5; i++) {
        if (i % 2 == 0) {
          double[] q = quiet(node, c, slow);
          without.add(q[0] / q[1]);
          log("node CPU without the page: %.1f ms/s (%,.0f tasks/s)", q[0] / q[1] * 1000,
              q[2] / q[1]);
        } else {
          open = page(node, c, scripts, chromium, slow);
          with.add(open.cpuSeconds() / open.seconds());
          log("node CPU with the page: %.1f ms/s (%,.0f tasks/s, %.1f frames/s)",
              open.cpuSeconds() / open.seconds() * 1000, open.tasks() / open.seconds(),
              open.metrics().path("socketFramesPerSecond").asDouble());
        }
      }
      cancel(c, slow);
      double extra = median(with) - median(without);

      JsonNode m = busy.metrics();
      double heap = m.path("heapMaxMB").asDouble();
      bench.add(new Row("dashboard: 1M-task job open while it runs",
          fmt("page: JS heap %.1f MB (max), %d DOM nodes, %.1f progress frames/s received, "
                  + "%.1f renders/s, %.0f animation frames/s, %d long tasks in %.0f s; "
                  + "node: +%.1f ms CPU/s (%.1f%% of a core) at %.1f frames/s",
              heap, m.path("domNodes").asInt(), m.path("socketFramesPerSecond").asDouble(),
              m.path("updatesPerSecond").asDouble(), m.path("animationFramesPerSecond").asDouble(),
              m.path("longTasks").asInt(), busy.seconds(), extra * 1000, extra * 100,
              open.metrics().path("socketFramesPerSecond").asDouble()),
          "heap <= 50 MB; node <= 5% of a core", running && heap <= 50 && extra <= 0.05, "-", "-",
          running ? "" : "the job ended during the window"));
    }
  }

  /** {@code WINDOW_S} seconds without the page: node CPU seconds, seconds, tasks finished. */
  private static double[] quiet(Node node, Client c, String job) throws Exception {
    double cpu = node.cpuSeconds();
    int done = Client.succeeded(c.job(job));
    long t = System.nanoTime();
    Thread.sleep(WINDOW_S * 1000L);
    double cpuEnd = node.cpuSeconds();
    int doneEnd = Client.succeeded(c.job(job));
    return new double[] {cpuEnd - cpu, (System.nanoTime() - t) / 1e9, doneEnd - done};
  }

  /** Opens the job's page for {@code WINDOW_S} seconds after it settled; the node's CPU meanwhile. */
  private static Page page(Node node, Client c, Path scripts, String chromium, String job)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder("node", "bench.mjs").directory(scripts.toFile())
        .redirectErrorStream(true);
    pb.environment().put("CALCGRID_URL", "http://127.0.0.1:" + node.httpPort());
    pb.environment().put("CALCGRID_JOB", job);
    pb.environment().put("CALCGRID_SECONDS", Integer.toString(WINDOW_S));
    pb.environment().put("CHROMIUM", chromium);
    Process p = pb.start();
    double cpu = 0;
    int done = 0;
    long t = 0;
    String result = null;
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        out.append(line).append('\n');
        if (line.equals("measuring")) {
          cpu = node.cpuSeconds();
          done = Client.succeeded(c.job(job));
          t = System.nanoTime();
        } else if (line.startsWith("{") && result == null) {
          // the window ended: the node's figures now, before the browser closes
          result = line;
          double cpuEnd = node.cpuSeconds();
          int doneEnd = Client.succeeded(c.job(job));
          double seconds = (System.nanoTime() - t) / 1e9;
          p.waitFor(30, TimeUnit.SECONDS);
          return new Page(Client.JSON.readTree(result), cpuEnd - cpu, doneEnd - done, seconds);
        }
      }
    }
    p.waitFor(30, TimeUnit.SECONDS);
    throw new IllegalStateException("the page benchmark gave no result:\n" + out);
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static void cancel(Client c, String job) throws Exception {
    c.post("/api/v1/jobs/" + job + "/cancel");
    c.awaitFinished(job, Duration.ofMinutes(2));
  }
}
