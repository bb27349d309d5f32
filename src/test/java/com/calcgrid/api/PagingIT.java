package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.OneNode;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Paging parameters of results and of the job list: checked, bounded, never wrapped. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PagingIT {
  @RegisterExtension
  static final OneNode NODE = OneNode.h2(Map.of());
  private String job;

  @BeforeAll
  void start() throws Exception {
    // the outputs (t[0..9]) come after a task that is not one: paging them starts past it,
    // where an offset near Integer.MAX_VALUE used to overflow and wrap to the first page
    job = NODE.api().submit("{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"},"
        + " {\"id\": \"t\", \"fn\": \"util.sum\", \"params\": {\"value\": 1},"
        + " \"deps\": [\"a\"], \"forEach\": {\"param\": \"i\", \"range\": [0, 10]}}]}");
    NODE.api().awaitFinished(job, Duration.ofSeconds(60));
  }

  private static void assertBadParameter(HttpResponse<String> r, String parameter)
      throws Exception {
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
    JsonNode problem = Api.json(r);
    assertEquals("https://calcgrid.dev/problems/invalid-parameter", problem.get("type").asText());
    assertEquals(parameter, problem.get("parameter").asText(), r.body());
  }

  @Test
  void offsetsNearTheIntLimitAre400NotTheFirstPage() throws Exception {
    String results = "/api/v1/jobs/" + job + "/results?scope=outputs";
    for (String offset : new String[] {"2147483647", "2147483648", "1000000001", "-1",
        "99999999999999999999", "1e3", "abc", ""}) {
      assertBadParameter(NODE.api().get(results + "&offset=" + offset), "offset");
      assertBadParameter(NODE.api().get("/api/v1/jobs?offset=" + offset), "offset");
    }
    for (String limit : new String[] {"0", "-1", "1001", "2147483647", "4294967297", "x"}) {
      assertBadParameter(NODE.api().get(results + "&offset=5&limit=" + limit), "limit");
      assertBadParameter(NODE.api().get("/api/v1/jobs?limit=" + limit), "limit");
    }
  }

  @Test
  void anOffsetPastTheEndIsAnEmptyPage() throws Exception {
    for (String scope : new String[] {"outputs", "all"}) {
      JsonNode page = Api.json(NODE.api().get("/api/v1/jobs/" + job + "/results?scope=" + scope
          + "&offset=1000000000&limit=1000"));
      assertEquals(0, page.get("results").size(), page.toString());
      assertEquals(scope.equals("all") ? 11 : 10, page.get("total").asInt());
    }
    JsonNode last = Api.json(NODE.api().get("/api/v1/jobs/" + job + "/results?offset=8"));
    assertEquals(2, last.get("results").size(), last.toString());
    assertTrue(last.get("results").has("t[9]"), last.toString());
    JsonNode jobs = Api.json(NODE.api().get("/api/v1/jobs?offset=1000000000"));
    assertEquals(0, jobs.get("jobs").size(), jobs.toString());
  }
}
