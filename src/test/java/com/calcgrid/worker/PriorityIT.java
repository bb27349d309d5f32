package com.calcgrid.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.OneNode;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node busy with batch work: of two identical small jobs submitted together, the one marked
 * {@code interactive} finishes first, while the batch jobs still run and before the one left as
 * batch is half done (with equal shares, as before priorities, the two kept pace). This checks the direction, not the time: the figures are in
 * docs/benchmarks.md.
 */
class PriorityIT {
  @RegisterExtension
  static final OneNode NODE = OneNode.h2(Map.of("calcgrid.worker.slots", 2));
  private static final Duration WAIT = Duration.ofSeconds(120);

  private static String job(String name, String priority, int tasks, int ms) {
    return "{\"name\": \"" + name + "\", \"priority\": \"" + priority + "\", \"tasks\": [{\"id\":"
        + " \"t\", \"fn\": \"util.sleep\", \"params\": {\"ms\": " + ms + ", \"value\": 1},"
        + " \"forEach\": {\"param\": \"i\", \"range\": [0, " + tasks + "]}}]}";
  }

  @Test
  void anInteractiveJobOvertakesTheBatchWorkAndAnIdenticalBatchJob() throws Exception {
    Api api = NODE.api();
    List<String> batch = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      batch.add(api.submit(job("eod-" + i, "batch", 400, 5)));
    }
    // the batch work has started and fills the node
    Api.await(() -> api.job(batch.get(0)), WAIT,
        v -> v.path("counts").path("SUCCEEDED").asInt() > 0);
    String asBatch = api.submit(job("what-if", "batch", 40, 25));
    String interactive = api.submit(job("what-if", "interactive", 40, 25));

    JsonNode fast = api.awaitJob(interactive, WAIT,
        v -> !"RUNNING".equals(v.path("state").asText()));
    assertEquals("SUCCEEDED", fast.get("state").asText(), fast.toString());
    assertEquals("interactive", fast.path("priority").asText(), fast.toString());
    // with equal shares the two what-ifs would have kept pace with each other
    JsonNode behind = api.job(asBatch);
    assertTrue(behind.path("counts").path("SUCCEEDED").asInt() <= 20,
        "the batch what-if kept pace with the interactive one: " + behind);
    int batchStillRunning = 0;
    for (String id : batch) {
      if ("RUNNING".equals(api.job(id).path("state").asText())) {
        batchStillRunning++;
      }
    }
    assertTrue(batchStillRunning > 0, "the interactive job did not wait for the batch work");
    JsonNode slow = api.awaitJob(asBatch, WAIT,
        v -> !"RUNNING".equals(v.path("state").asText()));
    assertEquals("SUCCEEDED", slow.get("state").asText(), slow.toString());
    assertTrue(Instant.parse(fast.get("finishedAt").asText())
            .isBefore(Instant.parse(slow.get("finishedAt").asText())),
        "interactive " + fast + "\nbatch " + slow);
    for (String id : batch) {
      api.awaitJob(id, WAIT, v -> !"RUNNING".equals(v.path("state").asText()));
    }
  }
}
