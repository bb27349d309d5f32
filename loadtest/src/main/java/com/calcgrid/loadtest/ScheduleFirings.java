package com.calcgrid.loadtest;

import static com.calcgrid.loadtest.Bench.fmt;
import static com.calcgrid.loadtest.Bench.log;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * 10,000 schedules on one node, each firing every minute (spread over the minute's seconds),
 * each firing a one-task job: how late firings are (from the firing's instant to its job's
 * admission, read from the job listing) and the node's CPU per firing, over two minutes after a
 * minute of warm-up.
 */
final class ScheduleFirings {
  private static final String GRAPH = "{\"name\": \"tick\", \"tasks\": [{\"id\": \"a\", "
      + "\"fn\": \"util.sum\", \"params\": {\"value\": 1}}]}";

  private ScheduleFirings() {}

  static void run(Bench bench) throws Exception {
    int schedules = bench.quick() ? 1_000 : 10_000;
    int minutes = bench.quick() ? 1 : 2;
    try (Node node = Node.start(bench, "schedules", Map.of(
        "CALCGRID_MAX_SCHEDULES_PER_TENANT", "20000",
        "CALCGRID_MAX_RUNNING_JOBS_PER_TENANT", "10000",
        "CALCGRID_MAX_RUNNING_JOBS", "10000"))) {
      node.awaitReady(Duration.ofMinutes(2));
      String base = node.client().base();
      long t = System.nanoTime();
      create(base, schedules);
      log("%,d schedules created in %.1f s", schedules, (System.nanoTime() - t) / 1e9);
      // a minute in which every schedule fires once: warm-up
      Thread.sleep(Duration.ofSeconds(65).toMillis());
      Instant from = Instant.now();
      double cpu0 = node.cpuSeconds();
      Thread.sleep(Duration.ofMinutes(minutes).toMillis());
      Instant to = Instant.now();
      double cpu = node.cpuSeconds() - cpu0;
      // jobs admitted a little after the window still belong to its firings
      Thread.sleep(5_000);
      List<Long> lateness = lateness(node.client(), from, to);
      Collections.sort(lateness);
      int firings = lateness.size();
      long expected = Math.round(schedules * Duration.between(from, to).toMillis() / 60_000.0);
      double p50 = percentile(lateness, 0.50);
      double p99 = percentile(lateness, 0.99);
      double cpuPerFiring = cpu * 1000 / Math.max(1, firings);
      log("%,d firings (about %,d expected) in %s; lateness p50 %.0f ms, p99 %.0f ms; node CPU"
          + " %.1f ms per firing", firings, expected, Duration.between(from, to), p50, p99,
          cpuPerFiring);
      bench.add(new Row(fmt("%,d schedules: firing lateness", schedules),
          fmt("p50 %.0f ms, p99 %.0f ms", p50, p99), "p99 <= 1 s", p99 <= 1000, "-", "-",
          fmt("%,d firings of %,d due, every minute each", firings, expected)));
      bench.add(new Row(fmt("%,d schedules: CPU per firing", schedules),
          fmt("%.1f ms", cpuPerFiring), "<= 5 ms", cpuPerFiring <= 5, "-", "-",
          "node process user+system, incl. running the one-task job"));
    }
  }

  /** Creates the schedules, 8 requests at a time; schedule i fires at second i % 60. */
  private static void create(String base, int n) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    Semaphore inFlight = new Semaphore(8);
    AtomicInteger failed = new AtomicInteger();
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String body = "{\"name\": \"s" + i + "\", \"cron\": \"" + (i % 60) + " * * * * ?\", "
          + "\"overlap\": \"skip\", \"graph\": " + GRAPH + "}";
      inFlight.acquire();
      all.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/v1/schedules"))
              .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
              HttpResponse.BodyHandlers.ofString())
          .whenComplete((r, e) -> {
            inFlight.release();
            if (e != null || r.statusCode() != 201) {
              failed.incrementAndGet();
            }
          }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((x, e) -> null).get();
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " schedules were not created");
    }
  }

  /**
   * Milliseconds from each firing in [from, to) to its job's admission, from the listing; each
   * job once. The listing is newest first and firings go on while it is paged, so a job moves
   * down past a page boundary and is listed again: counted by id. A second job for the same
   * schedule and firing time would be a doubled firing, which fails the run.
   */
  private static List<Long> lateness(Client c, Instant from, Instant to) throws Exception {
    List<Long> out = new ArrayList<>();
    Map<String, String> firingOfJob = new java.util.HashMap<>();
    java.util.Set<String> firings = new java.util.HashSet<>();
    for (int offset = 0; ; offset += 1000) {
      HttpResponse<String> r = c.get("/api/v1/jobs?limit=1000&offset=" + offset);
      if (r.statusCode() != 200) {
        throw new IllegalStateException("the job listing answered " + r.statusCode() + ": "
            + r.body());
      }
      JsonNode page = Client.JSON.readTree(r.body());
      boolean older = false;
      for (JsonNode j : page.get("jobs")) {
        if (!j.hasNonNull("scheduledFor")) {
          continue;
        }
        Instant at = Instant.parse(j.get("scheduledFor").asText());
        if (at.isBefore(from)) {
          older = true;
        } else if (at.isBefore(to)) {
          String firing = j.path("schedule").asText() + "@" + at;
          if (firingOfJob.putIfAbsent(j.get("id").asText(), firing) != null) {
            continue;
          }
          if (!firings.add(firing)) {
            throw new IllegalStateException("two jobs for one firing: " + firing);
          }
          out.add(Duration.between(at, Instant.parse(j.get("submittedAt").asText())).toMillis());
        }
      }
      if (!page.get("more").asBoolean() || older) {
        return out;
      }
    }
  }

  private static double percentile(List<Long> sorted, double p) {
    return sorted.isEmpty() ? Double.NaN
        : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }
}
