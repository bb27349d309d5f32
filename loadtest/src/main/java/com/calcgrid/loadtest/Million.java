package com.calcgrid.loadtest;

import static com.calcgrid.loadtest.Bench.fmt;
import static com.calcgrid.loadtest.Bench.log;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * One job of a million tasks: posted as one forEach range, its supervisor's heap per task
 * measured while it runs, then the node killed with SIGKILL halfway and started again: the job
 * must carry on by itself and finish.
 */
final class Million {
  private static final int TASKS = 1_000_000;

  private Million() {}

  static void run(Bench bench) throws Exception {
    Graphs.Workload w = Graphs.range(TASKS);
    int requestBytes = w.json().getBytes(StandardCharsets.UTF_8).length;
    bench.add(new Row("1M tasks: request size", fmt("%d bytes", requestBytes), "< 1 KB",
        requestBytes < 1024, "-", "-", ""));
    try (Node node = Node.start(bench, "million", Map.of())) {
      node.awaitReady(Duration.ofMinutes(2));
      Client c = node.client();
      // a small job first, so that what the first job loads once is not counted per task
      Throughput.run(c, Graphs.fanOut(1_000));
      long before = node.liveHeapBytes();
      long t0 = System.currentTimeMillis();
      String id = c.submit(w.json());
      log("1M-task job accepted in %d ms", System.currentTimeMillis() - t0);

      JsonNode j = c.awaitJob(id, Duration.ofMinutes(10), Duration.ofMillis(200),
          x -> Client.succeeded(x) >= TASKS / 4);
      long during = Math.min(node.liveHeapBytes(), node.liveHeapBytes());
      double perTask = (during - before) / (double) TASKS;
      log("live heap before %,d B, with the job running %,d B (%,d succeeded)", before, during,
          Client.succeeded(j));
      Files.writeString(bench.out().resolve("million-histogram.txt"), node.histogramTop(25));
      bench.add(new Row("1M tasks: supervisor heap", fmt("%.0f B/task", perTask),
          "<= 200 B/task", perTask <= 200, "-", "-",
          "live heap after full GC, running job minus idle node"));

      j = c.awaitJob(id, Duration.ofMinutes(10), Duration.ofMillis(50),
          x -> Client.succeeded(x) >= TASKS / 2);
      int beforeKill = Client.succeeded(j);
      long killedAt = System.currentTimeMillis();
      node.kill();
      log("killed the node (SIGKILL) at %,d succeeded, %.1f s after the submission", beforeKill,
          (killedAt - t0) / 1000.0);

      long restart = System.nanoTime();
      node.launch();
      int first = -1;
      double resumed = -1;
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (System.nanoTime() < deadline) {
        JsonNode x = null;
        try {
          x = c.job(id);
        } catch (java.io.IOException e) {
          // not listening yet
        }
        if (x != null) {
          int done = Client.succeeded(x);
          if (first < 0) {
            first = done;
            log("after the restart the job answers with %,d succeeded after %.1f s", done,
                (System.nanoTime() - restart) / 1e9);
          } else if (done > first) {
            resumed = (System.nanoTime() - restart) / 1e9;
            break;
          }
        }
        Thread.sleep(50);
      }
      log("progress resumed %.1f s after the restart began", resumed);
      bench.add(new Row("1M tasks: kill -9, restart", resumed < 0 ? "did not resume"
          : fmt("%.1f s to progress", resumed), "<= 10 s", resumed >= 0 && resumed <= 10,
          "-", "-", "from starting the JVM to the SUCCEEDED count rising"));

      JsonNode end = c.awaitFinished(id, Duration.ofMinutes(10));
      long finished = Instant.parse(end.get("finishedAt").asText()).toEpochMilli();
      double firstLeg = (killedAt - t0) / 1000.0;
      double rate = beforeKill / firstLeg;
      Floor.Run floor = Throughput.floorBest(w.floor(), 2);
      double floorRate = TASKS / floor.seconds();
      boolean ok = "SUCCEEDED".equals(end.path("state").asText())
          && Client.succeeded(end) == TASKS;
      bench.add(new Row("1M tasks: completes", fmt("%s, %,d tasks in %.0f s incl. restart; "
              + "%,.0f tasks/s before the kill", end.path("state").asText(), Client.succeeded(end),
              (finished - t0) / 1000.0, rate), "completes", ok, fmt("%,.0f tasks/s", floorRate),
          fmt("%.0f", floorRate / rate), ""));
    }
  }
}
