package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A real node (its own JVM, 512 MB heap) under the graphs that used to take one down: the
 * 200-byte graph whose tasks would each receive a million results is refused and stores
 * nothing, and a graph just under the limits runs to the right result while the node keeps
 * answering its health check within a second.
 */
class InputLimitsIT {
  private static final Duration WAIT = Duration.ofSeconds(240);
  private static final int FAN_IN = 150_000;
  private static final int READERS = 20;

  @Test
  void theMillionFanInGraphIsRefusedAndAGraphNearTheLimitsRunsWhileTheNodeStaysResponsive()
      throws Exception {
    try (NodeProcess node = NodeProcess.start(TestNodes.freshDataDir(), Map.of())
        .awaitReady(Duration.ofSeconds(90))) {
      Api api = node.api();
      var refused = api.post("/api/v1/jobs", """
          {"tasks": [{"id": "a", "fn": "util.sum", "forEach": {"param": "i", "range": [0, 1000000]}},
           {"id": "b", "fn": "util.sum", "deps": ["a"], "forEach": {"param": "j", "range": [0, 1000]}}]}""");
      assertEquals(422, refused.statusCode(), refused.body());
      assertTrue(refused.headers().firstValue("Content-Type").orElse("")
          .startsWith("application/problem+json"), refused.headers().toString());
      String problem = refused.body();
      assertTrue(problem.contains("each task of 'b'") && problem.contains("1000000")
          && problem.contains("200000") && problem.contains("calcgrid.limits.max-task-inputs"),
          problem);
      JsonNode jobs = Api.json(api.get("/api/v1/jobs"));
      assertEquals(0, jobs.get("jobs").size(), "nothing stored: " + jobs);

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong slowestHealth = new AtomicLong();
      AtomicLong checks = new AtomicLong();
      Thread health = new Thread(() -> pollHealth(node, running, slowestHealth, checks));
      health.start();
      String job;
      JsonNode done;
      try {
        // each reader receives 150,000 results, about 2.8 MB with their ids: near 3 MiB
        job = api.submit("""
            {"name": "near-limits", "tasks": [
              {"id": "a", "fn": "util.sum", "forEach": {"param": "value", "range": [0, %d]}},
              {"id": "reader", "fn": "util.sum", "deps": ["a"],
               "forEach": {"param": "j", "range": [0, %d]}}]}""".formatted(FAN_IN, READERS));
        done = api.awaitFinished(job, WAIT);
      } finally {
        running.set(false);
        health.join(10_000);
      }
      assertEquals("SUCCEEDED", done.get("state").asText(), done + "\n" + node.logTail());
      long expected = (long) FAN_IN * (FAN_IN - 1) / 2;
      assertEquals(expected, api.task(job, "reader[" + (READERS - 1) + "]").get("result")
          .asLong());
      assertTrue(checks.get() >= 5, "health was checked while the job ran: " + checks);
      assertTrue(slowestHealth.get() < 1000, "the slowest /health/ready took "
          + slowestHealth.get() + " ms");
      System.out.printf("near-limits job: %d health checks, slowest %d ms%n", checks.get(),
          slowestHealth.get());
    }
  }

  private static void pollHealth(NodeProcess node, AtomicBoolean running, AtomicLong slowest,
      AtomicLong checks) {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://" + node.host + ":"
        + node.httpPort + "/health/ready")).timeout(Duration.ofSeconds(5)).build();
    while (running.get()) {
      long start = System.nanoTime();
      try {
        HttpResponse<String> r = client.send(ready, HttpResponse.BodyHandlers.ofString());
        long ms = (System.nanoTime() - start) / 1_000_000;
        slowest.accumulateAndGet(r.statusCode() == 200 ? ms : Long.MAX_VALUE, Math::max);
      } catch (Exception e) {
        slowest.set(Long.MAX_VALUE);
      }
      checks.incrementAndGet();
      com.calcgrid.testing.Poll.pause();
    }
  }
}
