package com.calcgrid.cluster;

import static com.calcgrid.cluster.NodeLossIT.GRAPH;
import static com.calcgrid.cluster.NodeLossIT.ROLES;
import static com.calcgrid.cluster.NodeLossIT.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.Postgres;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.ThreeNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Outages of everything at once: the whole cluster killed and started again, and the database
 * crashing under a running cluster. Nobody resubmits; the jobs finish by themselves.
 */
class ClusterRestartIT {

  @Test
  void theWholeClusterKilledAndStartedAgainResumesItsJobs() throws Exception {
    try (ThreeNodes cluster = ThreeNodes.start(Postgres.freshDatabase(), ROLES)) {
      String job = cluster.api(0).submit(GRAPH);
      cluster.api(0).awaitJob(job, WAIT, j -> j.path("counts").path("SUCCEEDED").asInt() >= 12);
      Map<String, JsonNode> done = NodeLossIT.succeededTasks(cluster.api(0), job);
      for (int i = 0; i < 3; i++) {
        cluster.kill(i);
      }
      long restartedAt = System.nanoTime();
      for (int i = 0; i < 3; i++) {
        cluster.launch(i);
      }
      cluster.awaitAllReady();
      int before = done.size();
      cluster.api(1).awaitJob(job, WAIT, j -> j.path("counts").path("SUCCEEDED").asInt() > before);
      System.out.printf("whole cluster restarted: progress resumed %d ms after the restart%n",
          (System.nanoTime() - restartedAt) / 1_000_000);
      NodeLossIT.assertFinishedRight(cluster.api(1), job, done, cluster);
    }
  }

  @Test
  void aDatabaseCrashStallsJobsAndSubmissionsGet503UntilItIsBack() throws Exception {
    Postgres.Db db = Postgres.freshDatabase();
    try (ThreeNodes cluster = ThreeNodes.start(db, ROLES)) {
      Api api = cluster.api(0);
      String job = api.submit(GRAPH);
      api.awaitJob(job, WAIT, j -> j.path("counts").path("SUCCEEDED").asInt() >= 12);
      Map<String, JsonNode> done = NodeLossIT.succeededTasks(api, job);

      pgCtl("stop");
      long downAt = System.nanoTime();
      try {
        HttpResponse<String> refused = api.post("/api/v1/jobs", GRAPH);
        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("application/problem+json",
            refused.headers().firstValue("Content-Type").orElse(""));
        assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "Retry-After");
      } finally {
        pgCtl("start");
      }
      int before = done.size();
      api.awaitJob(job, WAIT, j -> j.path("counts").path("SUCCEEDED").asInt() > before);
      System.out.printf("PostgreSQL restarted: progress resumed %d ms after the crash%n",
          (System.nanoTime() - downAt) / 1_000_000);
      NodeLossIT.assertFinishedRight(api, job, done, cluster);
      String after = api.submit(GRAPH);
      assertEquals("SUCCEEDED", api.awaitFinished(after, WAIT).get("state").asText());
    }
  }

  /** Crashes or starts the test PostgreSQL through .ci/pg-ctl. */
  private static void pgCtl(String action) throws Exception {
    Process p = new ProcessBuilder(TestNodes.projectFile(".ci/pg-ctl").toString(), action)
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pg-ctl " + action + " timed out");
    assertEquals(0, p.exitValue(), "pg-ctl " + action + ": "
        + new String(p.getInputStream().readAllBytes()));
  }
}
