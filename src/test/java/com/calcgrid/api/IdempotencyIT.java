package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.job.IdempotencyKeys;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code Idempotency-Key}: one job per key and body, per tenant, across restarts. */
class IdempotencyIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String GRAPH = "{\"name\": \"once\", \"tasks\": [{\"id\": \"a\","
      + " \"fn\": \"util.sum\", \"params\": {\"value\": 7}}]}";

  private static Map<String, Object> settings() {
    Map<String, Object> s = new HashMap<>(Tokens.hs256Node());
    s.put("calcgrid.limits.max-running-jobs-per-tenant", 1);
    return s;
  }

  private static Api desk(CalcGridNode node, String tenant) {
    return new Api(node.httpPort()).as(Tokens.token("user", tenant, "submitter"));
  }

  private static HttpResponse<String> post(Api api, String key, String body) throws Exception {
    return api.post("/api/v1/jobs", body, "Idempotency-Key", key);
  }

  private static int jobsListed(Api api) throws Exception {
    return Api.json(api.get("/api/v1/jobs")).get("jobs").size();
  }

  @Test
  void aReplayedKeyGetsTheSameJobAlsoAfterARestart() throws Exception {
    Path data = TestNodes.freshDataDir();
    String id;
    try (CalcGridNode node = TestNodes.start(data, settings(), null)) {
      Api api = desk(node, "desk-a");
      HttpResponse<String> first = post(api, "eod-2024-06-28", GRAPH);
      assertEquals(202, first.statusCode(), first.body());
      id = Api.json(first).get("id").asText();

      HttpResponse<String> again = post(api, "eod-2024-06-28", GRAPH);
      assertEquals(200, again.statusCode(), again.body());
      assertEquals(id, Api.json(again).get("id").asText());
      assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(""));
      assertEquals("/api/v1/jobs/" + id, again.headers().firstValue("Location").orElse(""));

      HttpResponse<String> changed = post(api, "eod-2024-06-28", GRAPH.replace("7", "8"));
      assertEquals(409, changed.statusCode(), changed.body());
      assertEquals("https://calcgrid.dev/problems/idempotency-key-reused",
          Api.json(changed).get("type").asText());
      assertEquals(id, Api.json(changed).get("jobId").asText());

      JsonNode job = api.awaitFinished(id, WAIT);
      assertEquals("SUCCEEDED", job.get("state").asText());
      assertEquals(1, jobsListed(api));
    }
    try (CalcGridNode node = TestNodes.start(data, settings(), null)) {
      Api api = desk(node, "desk-a");
      HttpResponse<String> afterRestart = post(api, "eod-2024-06-28", GRAPH);
      assertEquals(200, afterRestart.statusCode(), afterRestart.body());
      assertEquals(id, Api.json(afterRestart).get("id").asText());
      assertEquals("SUCCEEDED", Api.json(afterRestart).get("state").asText());
      assertEquals(409, post(api, "eod-2024-06-28", GRAPH.replace("7", "8")).statusCode());
      assertEquals(1, jobsListed(api));
      assertEquals(1, api.task(id, "a").get("attempts").asInt(), "ran once");
    }
  }

  @Test
  void keysAreScopedPerTenantAndMustBeWellFormed() throws Exception {
    try (CalcGridNode node = TestNodes.h2(settings())) {
      HttpResponse<String> a = post(desk(node, "desk-a"), "shared-key", GRAPH);
      HttpResponse<String> b = post(desk(node, "desk-b"), "shared-key", GRAPH);
      assertEquals(202, a.statusCode(), a.body());
      assertEquals(202, b.statusCode(), b.body());
      assertNotEquals(Api.json(a).get("id").asText(), Api.json(b).get("id").asText());

      HttpResponse<String> bad = post(desk(node, "desk-a"), "has spaces", GRAPH);
      assertEquals(400, bad.statusCode(), bad.body());
      assertEquals("https://calcgrid.dev/problems/invalid-idempotency-key",
          Api.json(bad).get("type").asText());
    }
  }

  /**
   * A key whose job was never stored (here: refused for the running limit; the same holds for a
   * node that stopped between storing the key and the job) creates its job on the next retry,
   * under the id derived from tenant, key and body, and only once.
   */
  @Test
  void aKeyWithoutItsJobCreatesTheJobOnRetry() throws Exception {
    try (CalcGridNode node = TestNodes.h2(settings())) {
      Api api = desk(node, "desk-c");
      String blocker = api.submit("{\"tasks\": [{\"id\": \"s\", \"fn\": \"util.sleep\","
          + " \"params\": {\"ms\": 60000}}]}");
      HttpResponse<String> refused = post(api, "retry-me", GRAPH);
      assertEquals(429, refused.statusCode(), refused.body());

      assertEquals(200, api.post("/api/v1/jobs/" + blocker + "/cancel", "").statusCode());
      String expected = IdempotencyKeys.jobIdFor("desk-c", "retry-me",
          IdempotencyKeys.sha256Hex(GRAPH.getBytes(StandardCharsets.UTF_8)));
      HttpResponse<String> created = Api.await(() -> post(api, "retry-me", GRAPH), WAIT,
          r -> r.statusCode() != 429);
      assertEquals(202, created.statusCode(), created.body());
      assertEquals(expected, Api.json(created).get("id").asText());
      HttpResponse<String> again = post(api, "retry-me", GRAPH);
      assertEquals(200, again.statusCode(), again.body());
      assertEquals(expected, Api.json(again).get("id").asText());
      assertTrue(api.awaitFinished(expected, WAIT).get("state").asText().equals("SUCCEEDED"));
    }
  }
}
