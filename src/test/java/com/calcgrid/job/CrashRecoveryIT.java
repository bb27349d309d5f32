package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of a node in the middle of a job, then a restart on the same data directory: the job
 * finishes by itself, what had succeeded is not run again, and nothing acknowledged is lost.
 */
class CrashRecoveryIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void jobSurvivesKillMinus9AndRestartWithoutRerunningFinishedTasks() throws Exception {
    Path data = TestNodes.freshDataDir();
    String jobId;
    String lateJob;
    Map<String, JsonNode> doneBeforeKill = new HashMap<>();
    try (NodeProcess first = NodeProcess.start(data, Map.of()).awaitReady(WAIT)) {
      Api api = new Api(first.httpPort);
      jobId = api.submit("""
          {"name": "crash", "tasks": [
            {"id": "work", "fn": "util.sleep", "params": {"ms": 250},
             "forEach": {"param": "value", "range": [0, 40]}},
            {"id": "total", "fn": "util.sum", "deps": ["work"]}]}""");
      api.awaitJob(jobId, WAIT, j -> j.path("counts").path("SUCCEEDED").asInt() >= 10);
      for (int i = 0; i < 40; i++) {
        JsonNode t = api.task(jobId, "work[" + i + "]");
        if (t.get("state").asText().equals("SUCCEEDED")) {
          doneBeforeKill.put(t.get("id").asText(), t);
        }
      }
      // acknowledged just before the crash: must survive it
      lateJob = api.submit("{\"tasks\": [{\"id\": \"x\", \"fn\": \"util.sum\", \"params\": {\"value\": 42}}]}");
      first.kill();
    }

    try (NodeProcess second = NodeProcess.start(data, Map.of()).awaitReady(WAIT)) {
      Api api = new Api(second.httpPort);
      JsonNode job = api.awaitFinished(jobId, WAIT);
      assertEquals("SUCCEEDED", job.get("state").asText(), job + "\n" + second.logTail());
      JsonNode results = Api.json(api.get("/api/v1/jobs/" + jobId + "/results")).get("results");
      assertEquals(780, results.get("total").asInt(), "0 + 1 + ... + 39");
      for (Map.Entry<String, JsonNode> before : doneBeforeKill.entrySet()) {
        JsonNode after = api.task(jobId, before.getKey());
        assertEquals("SUCCEEDED", after.get("state").asText());
        assertEquals(before.getValue().get("startedAt"), after.get("startedAt"),
            before.getKey() + " was run again");
        assertEquals(before.getValue().get("attempts"), after.get("attempts"));
      }
      JsonNode late = api.awaitFinished(lateJob, WAIT);
      assertEquals("SUCCEEDED", late.get("state").asText());
      assertEquals(42, Api.json(api.get("/api/v1/jobs/" + lateJob + "/results"))
          .get("results").get("x").asInt());
    }
  }
}
