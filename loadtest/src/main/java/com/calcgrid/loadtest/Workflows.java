package com.calcgrid.loadtest;

import static com.calcgrid.loadtest.Bench.fmt;
import static com.calcgrid.loadtest.Bench.log;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Scheduling quality on real workflow shapes (shared/workloads/wfcommons): every task sleeps its
 * recorded run time, scaled so the graph's lower bound max(critical path, work / slots) is a few
 * seconds, on one node of 8 slots. The floor runs the same sleeps on a ForkJoinPool of 8 threads
 * at the same time (sleeping threads take no CPU from the node).
 */
final class Workflows {
  private static final int SLOTS = 8;

  private Workflows() {}

  static void run(Bench bench) throws Exception {
    Path dir = bench.root().resolve("../shared/workloads/wfcommons").normalize();
    if (!Files.isDirectory(dir)) {
      bench.add(Row.notRun("wfcommons workflows", "<= 1.10 x lower bound", "no " + dir));
      return;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    if (bench.quick()) {
      files = files.stream().filter(p -> p.getFileName().toString().startsWith("montage-chameleon-2mass-01d")
          || p.getFileName().toString().startsWith("seismology")).toList();
    }
    double lowerBoundSeconds = bench.quick() ? 5 : 6;
    try (Node node = Node.start(bench, "workflows", Map.of("CALCGRID_SLOTS", Integer.toString(SLOTS)))) {
      node.awaitReady(Duration.ofMinutes(2));
      Client c = node.client();
      Throughput.run(c, Graphs.fanOut(1_000));
      for (Path f : files) {
        double[] recorded = Graphs.recordedBounds(f);
        double scale = lowerBoundSeconds / Math.max(recorded[0], recorded[1] / SLOTS);
        Graphs.Workload w = Graphs.workflow(f, scale);
        double lb = Math.max(w.floor().criticalPathMs(), w.floor().totalWorkMs() / (double) SLOTS)
            / 1000.0;
        double tight = ScheduleBound.tight(w.floor(), SLOTS) / 1000.0;
        CompletableFuture<Floor.Run> floor = CompletableFuture.supplyAsync(() -> {
          try {
            return Floor.run(w.floor(), SLOTS);
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
        long t0 = System.currentTimeMillis();
        String id = c.submit(w.json());
        JsonNode end = c.awaitFinished(id, Duration.ofMinutes(5));
        long finished = Instant.parse(end.get("finishedAt").asText()).toEpochMilli();
        double makespan = (finished - t0) / 1000.0;
        double floorSeconds = floor.get().seconds();
        boolean ok = "SUCCEEDED".equals(end.path("state").asText());
        log("%s: %d tasks, lower bound %.2f s (tight %.2f s), CalcGrid %.2f s (%.3f x), "
            + "floor %.2f s (%.3f x)", w.name(), w.floor().n, lb, tight, makespan, makespan / lb,
            floorSeconds, floorSeconds / lb);
        String note = !ok ? "job ended " + end.path("state").asText()
            : tight / lb > 1.10 ? fmt("no schedule can: any is >= %.3f x LB", tight / lb) : "";
        bench.add(new Row("wfcommons " + shortName(w.name()) + " (" + w.floor().n + " tasks)",
            fmt("%.2f s = %.3f x LB %.2f s (%.3f x tight bound)", makespan, makespan / lb, lb,
                makespan / tight), "<= 1.10 x LB",
            ok && makespan / lb <= 1.10, fmt("%.2f s = %.3f x LB", floorSeconds, floorSeconds / lb),
            fmt("%.2f", makespan / floorSeconds), note));
      }
    }
  }

  private static String shortName(String name) {
    return name.replace("-chameleon", "").replaceAll("-0*(\\d+)$", "");
  }
}
