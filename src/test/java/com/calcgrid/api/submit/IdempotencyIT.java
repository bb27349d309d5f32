package com.calcgrid.api.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.job.index.IdempotencyKeys;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
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
   * under the id stored with the key, and only once.
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
      HttpResponse<String> created = Api.await(() -> post(api, "retry-me", GRAPH), WAIT,
          r -> r.statusCode() != 429);
      assertEquals(202, created.statusCode(), created.body());
      // the id stored with the key when it was first claimed (the first choice, as every
      // member of the cluster answers)
      String expected = Api.json(created).get("id").asText();
      assertEquals(expected, IdempotencyKeys.jobIdFor("desk-c", "retry-me",
          IdempotencyKeys.sha256Hex(GRAPH.getBytes(StandardCharsets.UTF_8)), claimedAt(node,
              "desk-c", "retry-me"), 0));
      HttpResponse<String> again = post(api, "retry-me", GRAPH);
      assertEquals(200, again.statusCode(), again.body());
      assertEquals(expected, Api.json(again).get("id").asText());
      assertTrue(api.awaitFinished(expected, WAIT).get("state").asText().equals("SUCCEEDED"));
    }
  }

  /** When the key was claimed, as stored in the node's database. */
  private static Instant claimedAt(CalcGridNode node, String tenant, String key)
      throws Exception {
    String url = node.system().settings().config().getString("calcgrid.db.url");
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        PreparedStatement st = c.prepareStatement("SELECT created_at FROM calcgrid_idempotency "
            + "WHERE tenant = ? AND idem_key = ?")) {
      st.setString(1, tenant);
      st.setString(2, key);
      try (ResultSet rs = st.executeQuery()) {
        assertTrue(rs.next(), "no key " + key);
        return rs.getTimestamp(1).toInstant();
      }
    }
  }

  /**
   * After {@code keep-for} a key no longer replays its job: the same key and body make a new
   * job, which the key then replays, and a different body is no conflict.
   */
  @Test
  void anExpiredKeyMakesANewJob() throws Exception {
    Map<String, Object> s = settings();
    s.put("calcgrid.limits.max-running-jobs-per-tenant", 10);
    s.put("calcgrid.idempotency.keep-for", "2s");
    try (CalcGridNode node = TestNodes.h2(s)) {
      Api api = desk(node, "desk-e");
      HttpResponse<String> first = post(api, "short-lived", GRAPH);
      assertEquals(202, first.statusCode(), first.body());
      String old = Api.json(first).get("id").asText();
      HttpResponse<String> replayed = post(api, "short-lived", GRAPH);
      Instant firstAt = claimedAt(node, "desk-e", "short-lived");
      if (Instant.now().isBefore(firstAt.plusSeconds(2))) {
        assertEquals(200, replayed.statusCode(), replayed.body());
        assertEquals(old, Api.json(replayed).get("id").asText());
      }
      // the key's lifetime is a matter of the clock: wait for it, bounded
      Api.await(Instant::now, WAIT, t -> t.isAfter(firstAt.plusMillis(2100)));

      HttpResponse<String> fresh = post(api, "short-lived", GRAPH);
      assertEquals(202, fresh.statusCode(), fresh.body());
      String renewed = Api.json(fresh).get("id").asText();
      assertNotEquals(old, renewed);
      HttpResponse<String> again = post(api, "short-lived", GRAPH);
      assertEquals(200, again.statusCode(), again.body());
      assertEquals(renewed, Api.json(again).get("id").asText());
      assertEquals("SUCCEEDED", api.awaitFinished(renewed, WAIT).get("state").asText());

      Instant renewedAt = claimedAt(node, "desk-e", "short-lived");
      Api.await(Instant::now, WAIT, t -> t.isAfter(renewedAt.plusMillis(2100)));
      HttpResponse<String> otherBody = post(api, "short-lived",
          GRAPH.replace("\"value\": 7", "\"value\": 8"));
      assertEquals(202, otherBody.statusCode(), otherBody.body());
      assertEquals(3, jobsListed(api));
    }
  }
}
