package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.Exposition;
import com.calcgrid.testing.OneNode;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job that cannot meet its deadline at the rate its tasks end is reported at risk (view,
 * gauge) with a projected finish past the deadline; one with time to spare is not; a finished
 * job leaves the gauge.
 */
class DeadlineIT {
  @RegisterExtension
  static final OneNode NODE = OneNode.h2(Map.of("calcgrid.worker.slots", 2));
  private static final Duration WAIT = Duration.ofSeconds(90);

  private static String job(Instant deadline, int tasks) {
    return "{\"name\": \"eod\", \"deadline\": \"" + deadline + "\", \"tasks\": [{\"id\": \"t\","
        + " \"fn\": \"util.sleep\", \"params\": {\"ms\": 20, \"value\": 1}, \"forEach\":"
        + " {\"param\": \"i\", \"range\": [0, " + tasks + "]}}]}";
  }

  @Test
  void aJobProjectedToMissItsDeadlineIsReportedAtRisk() throws Exception {
    Api api = NODE.api();
    // 400 tasks of 20 ms on 2 slots take 4 s or more; the deadline is 1 s away
    Instant soon = Instant.now().plusSeconds(1);
    String late = api.submit(job(soon, 400));
    String easy = api.submit(job(Instant.now().plusSeconds(3600), 4));

    JsonNode view = api.awaitJob(late, WAIT, v -> v.path("atRisk").asBoolean());
    assertEquals(soon.toString(), view.get("deadline").asText());
    assertTrue(Instant.parse(view.get("projectedFinish").asText()).isAfter(soon), view.toString());
    Api.await(() -> Exposition.parse(api.get("/metrics").body()).value("calcgrid_jobs_at_risk"),
        WAIT, n -> n == 1);

    JsonNode spare = api.awaitJob(easy, WAIT, v -> "SUCCEEDED".equals(v.path("state").asText()));
    assertFalse(spare.get("atRisk").asBoolean(), spare.toString());

    api.post("/api/v1/jobs/" + late + "/cancel", "");
    api.awaitJob(late, WAIT, v -> !"RUNNING".equals(v.path("state").asText()));
    Api.await(() -> Exposition.parse(api.get("/metrics").body()).value("calcgrid_jobs_at_risk"),
        WAIT, n -> n == 0);
  }
}
