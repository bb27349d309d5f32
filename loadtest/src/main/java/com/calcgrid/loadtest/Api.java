package com.calcgrid.loadtest;

import static com.calcgrid.loadtest.Bench.fmt;
import static com.calcgrid.loadtest.Bench.log;

import com.calcgrid.api.Json;
import com.calcgrid.job.JobView;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The API under load, driven by Gatling: job submissions, and WebSocket subscribers. */
final class Api {
  private static final int SUBSCRIBERS = 1000;
  /** Clients submitting one job after the other: enough to keep a node's pipeline full. */
  private static final int CLIENTS = 32;

  private Api() {}

  /** Small jobs posted at a constant rate above the target; accept rate and p99 latency. */
  static void submissions(Bench bench) throws Exception {
    // one tenant (authentication is off) and 32 clients: the node's admission limits (4
    // submissions in flight and 8 waiting per tenant, 50 running jobs) would refuse most of
    // them at once and the run would measure refusals; this workload measures how fast the
    // node stores jobs
    try (Node node = Node.start(bench, "submissions", Map.of(
        "CALCGRID_MAX_SUBMISSIONS_IN_FLIGHT", Integer.toString(2 * CLIENTS),
        "CALCGRID_MAX_SUBMISSIONS_IN_FLIGHT_PER_TENANT", Integer.toString(2 * CLIENTS),
        "CALCGRID_MAX_SUBMISSIONS_WAITING", Integer.toString(2 * CLIENTS),
        "CALCGRID_MAX_SUBMISSIONS_WAITING_PER_TENANT", Integer.toString(2 * CLIENTS),
        "CALCGRID_MAX_RUNNING_JOBS_PER_TENANT", "5000",
        "CALCGRID_MAX_RUNNING_JOBS", "5000"))) {
      node.awaitReady(Duration.ofMinutes(2));
      String base = node.client().base();
      int seconds = bench.quick() ? 10 : 30;
      // 40 s of the same load first: a node's JIT compiles the long tail of HTTP, sharding,
      // persistence, Slick and H2 code for thousands of jobs; after 10 s of it a job still cost
      // 4.8 ms of CPU, after 40 s 2.8 ms. A node in production is long warm.
      int warmSeconds = bench.quick() ? 5 : Integer.getInteger("calcgrid.bench.submit-warmup", 40);
      Process warm = Gatling.start(bench, "SubmitSimulation", Map.of("calcgrid.base", base,
          "calcgrid.clients", Integer.toString(CLIENTS), "calcgrid.seconds",
          Integer.toString(warmSeconds)));
      Gatling.Stats w = Gatling.finish(bench, "SubmitSimulation", warm);
      log("submissions warm-up: %d ok, %d failed, %.0f/s, p99 %d ms", w.ok(), w.ko(),
          w.meanPerSecond(), w.p99());
      double cpu0 = node.cpuSeconds();
      Process p = Gatling.start(bench, "SubmitSimulation", Map.of("calcgrid.base", base,
          "calcgrid.clients", Integer.toString(CLIENTS), "calcgrid.seconds",
          Integer.toString(seconds)));
      Gatling.Stats s = Gatling.finish(bench, "SubmitSimulation", p);
      double cpuPerJob = (node.cpuSeconds() - cpu0) * 1000 / Math.max(1, s.ok());
      double accepted = s.ok() / (double) seconds;
      log("node CPU per accepted job (incl. running it): %.1f ms", cpuPerJob);
      log("submissions by %d clients for %d s: %d ok, %d failed, %.0f/s over the whole run, "
          + "p50 %d ms, p95 %d ms, p99 %d ms, max %d ms; report %s", CLIENTS, seconds, s.ok(), s.ko(),
          s.meanPerSecond(), s.p50(), s.p95(), s.p99(), s.max(), s.report());
      // the same small graph run by the floor executor, one job after the other
      FloorGraph g = new FloorGraph(new long[] {1, 2}, null, new int[][] {{}, {0}});
      double floorRate;
      java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(2);
      try {
        for (int i = 0; i < 20_000; i++) {
          Floor.run(g, pool);
        }
        long t = System.nanoTime();
        int jobs = 100_000;
        for (int i = 0; i < jobs; i++) {
          Floor.run(g, pool);
        }
        floorRate = jobs / ((System.nanoTime() - t) / 1e9);
      } finally {
        pool.shutdownNow();
      }
      // sustained: every submission accepted, at that rate over the whole window
      boolean sustained = s.ko() == 0 && accepted >= 500;
      bench.add(new Row("HTTP submissions of small jobs", fmt("%.0f jobs/s by %d clients for %d s,"
              + " p99 accept %d ms (p50 %d, max %d), %d failed", accepted, CLIENTS, seconds,
              s.p99(), s.p50(), s.max(), s.ko()), ">= 500 jobs/s, p99 reported", sustained,
          fmt("%,.0f jobs/s", floorRate), fmt("%.0f", floorRate / Math.max(1, s.meanPerSecond())),
          fmt("node CPU %.1f ms per job", cpuPerJob)));
    }
  }

  /** 1,000 WebSocket subscribers on one running job: all get the end, how late, at what heap. */
  static void subscribers(Bench bench) throws Exception {
    try (Node node = Node.start(bench, "subscribers", Map.of())) {
      node.awaitReady(Duration.ofMinutes(2));
      Client c = node.client();
      Throughput.run(c, Graphs.fanOut(1_000));
      long idle = node.liveHeapBytes();
      // 300 sleeps of 100 ms on 2 slots: about 15 s of task events while subscribers connect
      String job = "{\"name\":\"watched\",\"tasks\":[{\"id\":\"t\",\"fn\":\"util.sleep\","
          + "\"params\":{\"ms\":100},\"forEach\":{\"param\":\"value\",\"range\":[0,300]}}]}";
      String id = c.submit(job);
      Path delaysFile = bench.out().resolve("subscriber-delays.txt");
      Files.deleteIfExists(delaysFile);
      Process p = Gatling.start(bench, "SubscribersSimulation", Map.of("calcgrid.base", c.base(),
          "calcgrid.job", id, "calcgrid.users", Integer.toString(SUBSCRIBERS),
          "calcgrid.ramp", "4", "calcgrid.delays", delaysFile.toString()));
      // Gatling's JVM starts in a few seconds and ramps over 4: measure once all are on
      Thread.sleep(10_000);
      JsonNode mid = c.job(id);
      long connected = node.liveHeapBytes();
      log("heap idle %,d B, with the job and %d subscribers %,d B; job %s", idle, SUBSCRIBERS,
          connected, mid == null ? "?" : mid.path("counts"));
      JsonNode end = c.awaitFinished(id, Duration.ofMinutes(3));
      Gatling.Stats s = Gatling.finish(bench, "SubscribersSimulation", p);
      long[] delays = Files.exists(delaysFile) ? Files.readAllLines(delaysFile).stream()
          .filter(l -> !l.isBlank()).mapToLong(Long::parseLong).sorted().toArray() : new long[0];
      long p50 = percentile(delays, 50);
      long p99 = percentile(delays, 99);
      long max = delays.length == 0 ? -1 : delays[delays.length - 1];
      log("subscribers: %d of %d got the finished event; delay p50 %d ms, p99 %d ms, max %d ms;"
          + " gatling ok %d ko %d", delays.length, SUBSCRIBERS, p50, p99, max, s.ok(), s.ko());
      double perSubscriber = (connected - idle) / (double) SUBSCRIBERS;
      long floorP99 = floorDelay(end);
      boolean all = delays.length == SUBSCRIBERS && s.ko() == 0;
      bench.add(new Row("1,000 WebSocket subscribers", fmt("%d/%d got finished; p99 delay %d ms "
              + "(p50 %d, max %d); heap +%.0f KB/subscriber", delays.length, SUBSCRIBERS, p99, p50,
              max, perSubscriber / 1024), "all; p99 <= 250 ms; heap bounded",
          all && p99 <= 250, fmt("p99 %d ms", floorP99),
          fmt("%.0f", p99 / (double) Math.max(1, floorP99)),
          "heap bounded per subscriber (websocket-buffer 4,096 task events)"));
    }
  }

  /**
   * The floor for fan-out: the finished event written as JSON once per subscriber and handed to
   * 1,000 consumer threads through queues, in process; p99 of hand-off delay in ms.
   */
  private static long floorDelay(JsonNode end) throws Exception {
    JobView view = Json.MAPPER.treeToValue(end, JobView.class);
    List<BlockingQueue<long[]>> queues = new ArrayList<>();
    long[] delays = new long[SUBSCRIBERS];
    CountDownLatch done = new CountDownLatch(SUBSCRIBERS);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < SUBSCRIBERS; i++) {
      BlockingQueue<long[]> q = new ArrayBlockingQueue<>(1);
      queues.add(q);
      int k = i;
      Thread t = new Thread(() -> {
        try {
          long[] sent = q.take();
          delays[k] = System.nanoTime() - sent[0];
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        done.countDown();
      }, "floor-subscriber-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    long at = System.nanoTime();
    for (BlockingQueue<long[]> q : queues) {
      Json.text(Map.of("type", "finished", "job", view));
      q.put(new long[] {at});
    }
    done.await(60, TimeUnit.SECONDS);
    long[] ms = Arrays.stream(delays).map(d -> d / 1_000_000).sorted().toArray();
    return percentile(ms, 99);
  }

  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return -1;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
