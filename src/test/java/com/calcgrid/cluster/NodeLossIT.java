package com.calcgrid.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.EventsClient;
import com.calcgrid.testing.Postgres;
import com.calcgrid.testing.ThreeNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Three nodes as separate JVMs on 127.0.0.1-3 against one PostgreSQL; one is killed with
 * SIGKILL in the middle of a job. The job must finish with the right results, no task that had
 * succeeded may run again, and the work must have been spread over more than one node.
 *
 * <p>Nodes 1 and 2 do everything; node 3 is a worker only.
 */
class NodeLossIT {
  static final Duration WAIT = Duration.ofSeconds(120);
  static final String[] ROLES = {"api,scheduler,worker", "api,scheduler,worker", "worker"};
  static final int TASKS = 120;
  /** 0 + 1 + ... + 119 */
  static final int TOTAL = TASKS * (TASKS - 1) / 2;
  /**
   * 0.7 s a task: 84 task-seconds take the six slots of three nodes 14 s or more, so the
   * kill comes mid-job even when the reads before it are slow on a busy machine.
   */
  static final String GRAPH = """
      {"name": "spread", "tasks": [
        {"id": "work", "fn": "util.sleep", "params": {"ms": 700},
         "forEach": {"param": "value", "range": [0, %d]}},
        {"id": "total", "fn": "util.sum", "deps": ["work"]}]}""".formatted(TASKS);

  @Test
  void aWorkerOnlyNodeDiesMidJob() throws Exception {
    try (ThreeNodes cluster = ThreeNodes.start(Postgres.freshDatabase(), ROLES)) {
      Api api = cluster.api(0);
      String job = api.submit(GRAPH);
      api.awaitJob(job, WAIT, j -> j.path("counts").path("SUCCEEDED").asInt() >= 12);
      Map<String, JsonNode> done = succeededTasks(api, job);
      assertEquals(404, cluster.api(2).get("/api/v1/jobs").statusCode(),
          "a worker-only node serves no job API");
      assertEquals(200, cluster.api(2).get("/health/ready").statusCode());
      cluster.kill(2);
      long killedAt = System.nanoTime();

      assertFinishedRight(api, job, done, cluster);
      System.out.printf("worker-only node killed: job finished %d ms after the kill%n",
          (System.nanoTime() - killedAt) / 1_000_000);
    }
  }

  @Test
  void theNodeHostingTheSupervisorDiesMidJob() throws Exception {
    try (ThreeNodes cluster = ThreeNodes.start(Postgres.freshDatabase(), ROLES)) {
      String job = cluster.api(0).submit(GRAPH);
      JsonNode running = cluster.api(0).awaitJob(job, WAIT,
          j -> j.path("counts").path("SUCCEEDED").asInt() >= 12);
      int host = cluster.indexOf(running.get("supervisor").asText());
      assertTrue(host == 0 || host == 1, "supervisors live on scheduler nodes: " + running);
      Api other = cluster.api(1 - host);
      // a desk tool watching the job through the surviving node
      EventsClient watcher = new EventsClient(true);
      watcher.connect(other, job);
      Map<String, JsonNode> done = succeededTasks(other, job);
      int succeededAtKill = other.job(job).path("counts").path("SUCCEEDED").asInt();
      cluster.kill(host);
      long killedAt = System.nanoTime();

      JsonNode resumed = other.awaitJob(job, WAIT,
          j -> j.path("counts").path("SUCCEEDED").asInt() > succeededAtKill);
      long resumedMs = (System.nanoTime() - killedAt) / 1_000_000;
      assertNotEquals(running.get("supervisor").asText(), resumed.get("supervisor").asText(),
          "the supervisor moved to a surviving node");
      assertFinishedRight(other, job, done, cluster);
      try {
        watcher.closed.get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("the event stream did not end; got "
            + watcher.messages.stream().map(m -> m.path("type").asText()).toList()
            + cluster.logs());
      }
      List<JsonNode> finished = watcher.ofType("finished");
      assertEquals(1, finished.size(), "the stream follows the supervisor to its new node: "
          + watcher.messages.stream().map(m -> m.path("type").asText()).toList());
      assertEquals("SUCCEEDED", finished.get(0).get("job").get("state").asText());
      assertTrue(watcher.ofType("snapshot").size() >= 2, "a fresh snapshot after the move");
      System.out.printf("supervisor's node killed: progress resumed %d ms after the kill%n",
          resumedMs);
    }
  }

  /** Tasks that had succeeded, as the API shows them, by id. */
  static Map<String, JsonNode> succeededTasks(Api api, String job) throws Exception {
    Map<String, JsonNode> done = new HashMap<>();
    for (int i = 0; i < TASKS; i++) {
      JsonNode t = api.task(job, "work[" + i + "]");
      if ("SUCCEEDED".equals(t.path("state").asText())) {
        done.put(t.get("id").asText(), t);
      }
    }
    assertTrue(done.size() >= 12, "tasks succeeded before the kill: " + done.keySet());
    return done;
  }

  /**
   * The job succeeded with the right total; what had succeeded before the kill kept its start
   * time, attempts and result; and more than one node ran tasks.
   */
  static void assertFinishedRight(Api api, String job, Map<String, JsonNode> doneBefore,
      ThreeNodes cluster) throws Exception {
    JsonNode finished = api.awaitFinished(job, WAIT);
    assertEquals("SUCCEEDED", finished.get("state").asText(), finished + cluster.logs());
    JsonNode results = Api.json(api.get("/api/v1/jobs/" + job + "/results")).get("results");
    assertEquals(TOTAL, results.get("total").asInt());
    Set<String> nodes = new HashSet<>();
    for (int i = 0; i < TASKS; i++) {
      JsonNode t = api.task(job, "work[" + i + "]");
      assertEquals("SUCCEEDED", t.get("state").asText());
      assertEquals(i, t.get("result").asInt());
      nodes.add(t.get("node").asText());
      JsonNode before = doneBefore.get(t.get("id").asText());
      if (before != null) {
        assertEquals(before.get("startedAt"), t.get("startedAt"), t.get("id") + " ran again");
        assertEquals(before.get("attempts"), t.get("attempts"));
        assertEquals(before.get("node"), t.get("node"));
      }
    }
    assertTrue(nodes.size() > 1, "tasks ran on " + nodes);
  }
}
