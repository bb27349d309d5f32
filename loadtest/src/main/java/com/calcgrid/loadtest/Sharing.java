package com.calcgrid.loadtest;

import static com.calcgrid.loadtest.Bench.fmt;
import static com.calcgrid.loadtest.Bench.log;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An interactive what-if on a node full of batch work: a trader's 40 tasks of 25 ms on 2 slots
 * while 8 batch jobs of 5 ms tasks fill them, against the same job on the idle node (the floor)
 * and the same job submitted as {@code batch} beside it (what it was before priorities: each
 * of the nine jobs got a ninth of the slots).
 */
final class Sharing {
  private static final int SLOTS = 2;
  private static final int BATCH_JOBS = 8;

  private Sharing() {}

  private static String job(String name, String priority, int tasks, int ms) {
    return "{\"name\": \"" + name + "\", \"priority\": \"" + priority + "\", \"tasks\": [{\"id\":"
        + " \"t\", \"fn\": \"util.sleep\", \"params\": {\"ms\": " + ms + ", \"value\": 1},"
        + " \"forEach\": {\"param\": \"i\", \"range\": [0, " + tasks + "]}}]}";
  }

  static void run(Bench bench) throws Exception {
    String workload = "interactive 40 x 25 ms amid 8 batch jobs of 5 ms tasks, 2 slots";
    String target = "<= 1.5 x idle + 0.3 s";
    int batchTasks = bench.quick() ? 2_000 : 8_000;
    try (Node node = Node.start(bench, "sharing", Map.of("CALCGRID_SLOTS",
        Integer.toString(SLOTS)))) {
      node.awaitReady(Duration.ofMinutes(2));
      Client c = node.client();
      String whatIf = job("what-if", "interactive", 40, 25);
      for (int i = 0; i < 3; i++) {
        seconds(c, c.submit(whatIf)); // warm-up
      }
      double[] idle = new double[3];
      for (int i = 0; i < idle.length; i++) {
        idle[i] = seconds(c, c.submit(whatIf));
      }
      double floor = Throughput.median(idle);

      List<String> batch = new ArrayList<>();
      for (int i = 0; i < BATCH_JOBS; i++) {
        batch.add(c.submit(job("eod-" + i, "batch", batchTasks, 5)));
      }
      c.awaitJob(batch.get(0), Duration.ofMinutes(2), Duration.ofMillis(20),
          j -> Client.succeeded(j) > 0);
      String asBatch = c.submit(job("what-if", "batch", 40, 25));
      String interactive = c.submit(whatIf);
      double loaded = seconds(c, interactive);
      double before = seconds(c, asBatch);
      for (String id : batch) {
        c.post("/api/v1/jobs/" + id + "/cancel");
      }
      log("sharing: interactive what-if %.2f s idle, %.2f s amid batch; as batch %.2f s", floor,
          loaded, before);
      bench.add(new Row(workload, fmt("%.2f s (the same job as batch: %.2f s)", loaded, before),
          target, loaded <= 1.5 * floor + 0.3, fmt("%.2f s idle", floor),
          fmt("%.1f", loaded / floor), fmt("%d batch tasks of 5 ms per job", batchTasks)));
    }
  }

  /** From acceptance to the end of the job, as the job view reports them. */
  private static double seconds(Client c, String id) throws Exception {
    JsonNode end = c.awaitFinished(id, Duration.ofMinutes(10));
    if (!"SUCCEEDED".equals(end.path("state").asText())) {
      throw new IllegalStateException("job ended " + end);
    }
    return (Instant.parse(end.get("finishedAt").asText()).toEpochMilli()
        - Instant.parse(end.get("submittedAt").asText()).toEpochMilli()) / 1000.0;
  }
}
