package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.LogCapture;
import com.calcgrid.testing.OneNode;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 503 caused inside the node tells the client what did not work and a correlation id, never
 * the actor or driver text of the cause; the node's log has the id with the real cause. The
 * node here gives job supervisors 1 ms to answer, so asks to them time out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailureDetailsIT {
  /**
   * Two thousand listed tasks: validating them and writing the submission takes the supervisor
   * far longer than 1 ms, however warm the node, so the ask times out by construction.
   */
  private static final String LARGE = "{\"tasks\": [" + IntStream.range(0, 2000)
      .mapToObj(i -> "{\"id\": \"t" + i + "\", \"fn\": \"util.sum\"}")
      .collect(Collectors.joining(",")) + "]}";

  @RegisterExtension
  static final OneNode NODE = OneNode.h2(Map.of("calcgrid.http.ask-timeout", "1ms"));

  @Test
  void timedOutAsksAre503WithACorrelationIdAndNoInternals() throws Exception {
    try (LogCapture logs = LogCapture.capture()) {
      List<HttpResponse<String>> unavailable = new ArrayList<>();
      String accepted = null;
      // each submission starts a new supervisor, which takes more than 1 ms to take the graph
      for (int i = 0; i < 10 && unavailable.size() < 3; i++) {
        HttpResponse<String> r = NODE.api().post("/api/v1/jobs", LARGE);
        if (r.statusCode() == 503) {
          unavailable.add(r);
          accepted = Api.json(r).get("detail").asText().replaceAll(".*accepted as ([^:]+):.*",
              "$1");
        } else {
          assertEquals(202, r.statusCode(), r.body());
        }
      }
      assertFalse(unavailable.isEmpty(), "no ask timed out in 10 submissions");
      // reads of a job ask its supervisor too
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> r = NODE.api().get("/api/v1/jobs/" + accepted);
        if (r.statusCode() == 503) {
          unavailable.add(r);
          break;
        }
      }
      for (HttpResponse<String> r : unavailable) {
        JsonNode problem = Api.json(r);
        String id = problem.path("correlationId").asText();
        assertTrue(id.matches("[0-9a-f]{16}"), r.body());
        assertEquals(id, r.headers().firstValue("X-Correlation-Id").orElse(""));
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        String detail = problem.get("detail").asText();
        for (String internal : List.of("Ask timed out", "EntityRef", "pekko://", "Exception",
            "sharding")) {
          assertFalse(detail.contains(internal), "'" + internal + "' in " + detail);
        }
        assertTrue(detail.contains(id), detail);
        // the log line with the same id names the real cause
        Api.await(logs::events, Duration.ofSeconds(10), lines -> lines.stream().anyMatch(
            l -> l.contains(id) && l.contains("Ask timed out")));
      }
    }
  }
}
