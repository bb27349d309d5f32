package com.calcgrid.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.Exposition;
import com.calcgrid.testing.OneNode;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /metrics} on a real node, before and after a small job. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension
  static final OneNode NODE = OneNode.h2(Map.of("calcgrid.metrics.jobs-refresh", "300ms"));

  @BeforeAll
  void start() throws Exception {
    // the job counts are read in the background: often here, so the test need not wait long
  }

  @Test
  void countsTheTasksOfAJobAndSpeaksThePrometheusTextFormat() throws Exception {
    String id = NODE.api().submit("""
        {"name": "metrics", "tasks": [
          {"id": "a", "fn": "util.sum", "params": {"value": 1}},
          {"id": "b", "fn": "util.sleep", "params": {"ms": 20, "value": 2}, "deps": ["a"],
           "forEach": {"param": "i", "range": [0, 4]}},
          {"id": "c", "fn": "util.sum", "deps": ["b"]}
        ]}""");
    JsonNode job = NODE.api().awaitFinished(id, WAIT);
    assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
    int tasks = job.get("taskCount").asInt();
    assertEquals(6, tasks);
    // the job index records the end shortly after the journal does
    Api.await(() -> NODE.api().get("/api/v1/jobs?state=SUCCEEDED").body(), WAIT, b -> b.contains(id));

    // ... and /metrics reads the job counts of the index in the background, a moment later
    Api.await(() -> Exposition.parse(NODE.api().get("/metrics").body()), WAIT,
        m -> m.has("calcgrid_jobs") && m.value("calcgrid_jobs", "state", "SUCCEEDED") >= 1);
    HttpResponse<String> r = NODE.api().get("/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
        r.headers().toString());
    Exposition m = Exposition.parse(r.body());

    assertEquals(tasks, m.value("calcgrid_tasks_succeeded_total"), r.body());
    assertEquals(tasks, m.value("calcgrid_tasks_dispatched_total"));
    assertEquals(0, m.value("calcgrid_tasks_failed_total"));
    assertEquals(0, m.value("calcgrid_tasks_retried_total"));
    assertEquals("counter", m.type("calcgrid_tasks_succeeded_total"));
    assertEquals(tasks, m.value("calcgrid_task_run_seconds_count"));
    assertEquals(tasks, m.value("calcgrid_task_queue_wait_seconds_count"));
    assertEquals("histogram", m.type("calcgrid_task_run_seconds"));
    // four sleeps of 20 ms at least
    assertTrue(m.value("calcgrid_task_run_seconds_sum") >= 0.08, r.body());
    double writes = m.value("calcgrid_journal_write_seconds_count");
    assertTrue(writes >= 1 && writes <= tasks, "one write per batch of outcomes: " + writes);
    assertEquals(tasks, m.value("calcgrid_journal_batch_outcomes_sum"));
    assertEquals(1, m.value("calcgrid_jobs_submitted_total"));
    assertEquals(1, m.value("calcgrid_jobs_finished_total", "state", "SUCCEEDED"));
    assertTrue(m.value("calcgrid_jobs", "state", "SUCCEEDED") >= 1);
    assertEquals(0, m.value("calcgrid_jobs", "state", "RUNNING"));
    assertEquals(0, m.value("calcgrid_tasks_ready"));
    assertEquals(1, m.value("calcgrid_job_supervisors"), "finished, not yet passivated");
    assertEquals(NODE.node().slots(), m.value("calcgrid_worker_slots"));
    assertEquals(0, m.value("calcgrid_worker_slots_busy"));

    assertEquals(1, m.value("pekko_cluster_members", "status", "Up"));
    assertEquals(0, m.value("pekko_cluster_members", "status", "Leaving"));
    assertEquals(0, m.value("pekko_cluster_unreachable_members"));
    assertEquals(1, m.value("pekko_cluster_self_up"));
    assertTrue(m.value("jvm_memory_used_bytes", "area", "heap") > 0);
    assertTrue(m.value("jvm_memory_max_bytes", "area", "heap") > 0);
    assertTrue(m.value("jvm_threads_current") > 0);
    for (String name : List.of("jvm_gc_collections_total", "jvm_gc_collection_seconds_total",
        "jvm_threads_daemon", "calcgrid_worker_slots_offered", "calcgrid_worker_waiting_jobs")) {
      assertTrue(m.has(name), name + " missing");
    }
  }
}
