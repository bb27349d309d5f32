package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.HaltingFunctions;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.Poll;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A task that kills whichever node runs it, on a single node that its operator restarts after
 * each death: the supervisor dies with the node each time, and still the deaths are counted
 * (durable dispatch after the first recovery), so the task FAILS within a few restarts with an
 * error that says why, while the sibling it depends on stays SUCCEEDED, run once.
 */
class PoisonTaskIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** One uncounted death, then calcgrid.job.max-lost-workers (3) counted ones. */
  private static final int MAX_RESTARTS = 6;
  private static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

  @Test
  void aTaskThatKillsItsNodeFailsAfterAFewRestartsAndItsSiblingSucceeds() throws Exception {
    Path data = TestNodes.freshDataDir();
    Map<String, String> env = Map.of(HaltingFunctions.ENV, "on");
    NodeProcess node = NodeProcess.start(data, env).awaitReady(WAIT);
    String job;
    int restarts = 0;
    try {
      // the poison depends on the sibling, so it is handed out only once the sibling's success
      // is written: each halt then finds a finished task it must neither lose nor run again
      job = node.api().submit("""
          {"name": "poison", "tasks": [
            {"id": "poison", "fn": "test.halt", "deps": ["sibling"]},
            {"id": "sibling", "fn": "util.sum", "params": {"value": 5}}]}""");
      while (true) {
        JsonNode finished = awaitDeathOrEnd(node, job);
        if (finished != null) {
          break;
        }
        assertEquals(1, node.awaitExit(WAIT), "halted by the poison task");
        assertTrue(++restarts <= MAX_RESTARTS, "still not failed after " + MAX_RESTARTS
            + " restarts: the lost workers are not counted");
        node.close();
        // not awaitReady: the resumed job hands the poison out again at start, so the node
        // may halt before it ever reports ready
        node = NodeProcess.start(data, env);
      }
      Api api = node.api();
      JsonNode view = api.job(job);
      assertEquals("FAILED", view.get("state").asText(), view.toString());
      JsonNode poison = api.task(job, "poison");
      assertEquals("FAILED", poison.get("state").asText(), poison.toString());
      assertEquals(3, poison.get("lostWorkers").asInt(), poison.toString());
      String error = poison.get("error").asText();
      assertTrue(error.contains("lost 3 times") && error.contains("not retried further"),
          error);
      JsonNode sibling = api.task(job, "sibling");
      assertEquals("SUCCEEDED", sibling.get("state").asText(), sibling.toString());
      assertEquals(5, sibling.get("result").asInt());
      assertEquals(0, sibling.get("lostWorkers").asInt());
      assertTrue(restarts >= 3, "three deaths are counted before the verdict: " + restarts);
      System.out.printf("poison task failed after %d restarts of its node%n", restarts);
    } finally {
      node.close();
    }
  }

  /** The job once it has ended, or null once the node has died; bounded. */
  private static JsonNode awaitDeathOrEnd(NodeProcess node, String job) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!node.isAlive()) {
        return null;
      }
      try {
        HttpResponse<String> response = node.api().get("/api/v1/jobs/" + job);
        JsonNode view = Api.json(response);
        if (response.statusCode() == 200 && ENDED.contains(view.path("state").asText())) {
          return view;
        }
      } catch (java.io.IOException e) {
        // still starting, or dying under the request
      }
      Poll.pause();
    }
    throw new AssertionError("the node neither died nor finished the job:\n" + node.logTail());
  }
}
