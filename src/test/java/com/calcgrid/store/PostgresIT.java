package com.calcgrid.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.Postgres;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The production database: journal, snapshots and job index on a real PostgreSQL, through
 * conf/postgres.conf. A node applies the schema itself, and a second node on the same database
 * (after the first stopped) finds the finished job and its results.
 */
class PostgresIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void jobsRunAndSurviveARestartOnPostgres() throws Exception {
    Postgres.Db db = Postgres.freshDatabase();
    String id;
    // snapshot every 2 events so that recovery from a PostgreSQL snapshot is exercised too
    Map<String, Object> tuning = Map.of("calcgrid.job.snapshot-every", 2);
    try (CalcGridNode node = TestNodes.postgres(db, tuning)) {
      Api api = new Api(node.httpPort());
      id = api.submit("""
          {"name": "pg", "tasks": [
            {"id": "x", "fn": "util.sum", "params": {"value": 2}, "forEach": {"param": "i", "range": [0, 50]}},
            {"id": "flaky", "fn": "util.fail", "params": {"failTimes": 1}, "retry": {"maxAttempts": 2, "backoffMs": 10}},
            {"id": "sum", "fn": "util.sum", "deps": ["x", "flaky"]}]}""");
      JsonNode job = api.awaitFinished(id, WAIT);
      assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
      Api.await(() -> Api.json(api.get("/api/v1/jobs?state=SUCCEEDED")), WAIT,
          p -> p.get("jobs").toString().contains(id));
    }
    try (CalcGridNode again = TestNodes.postgres(db, tuning)) {
      Api api = new Api(again.httpPort());
      JsonNode job = api.job(id);
      assertEquals("SUCCEEDED", job.get("state").asText());
      assertEquals(52, job.get("counts").get("SUCCEEDED").asInt());
      assertEquals(100, Api.json(api.get("/api/v1/jobs/" + id + "/results"))
          .get("results").get("sum").asInt());
      assertEquals(2, api.task(id, "flaky").get("attempts").asInt());
    }
  }

  @Test
  void idempotencyKeysAndRunningLimitsWorkOnPostgres() throws Exception {
    Postgres.Db db = Postgres.freshDatabase();
    String graph = "{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\", \"params\": {\"value\": 3}}]}";
    String id;
    Map<String, Object> limits = Map.of("calcgrid.limits.max-running-jobs-per-tenant", 1);
    try (CalcGridNode node = TestNodes.postgres(db, limits)) {
      Api api = new Api(node.httpPort());
      HttpResponse<String> first = api.post("/api/v1/jobs", graph, "Idempotency-Key", "pg-key");
      assertEquals(202, first.statusCode(), first.body());
      id = Api.json(first).get("id").asText();
      HttpResponse<String> again = api.post("/api/v1/jobs", graph, "Idempotency-Key", "pg-key");
      assertEquals(200, again.statusCode(), again.body());
      assertEquals(id, Api.json(again).get("id").asText());
      assertEquals(409, api.post("/api/v1/jobs", graph.replace("3", "4"),
          "Idempotency-Key", "pg-key").statusCode());
      api.awaitFinished(id, WAIT);
      // running jobs are counted in the index, which learns of the end just after the job
      Api.await(() -> api.get("/api/v1/jobs?state=SUCCEEDED").body(), WAIT, b -> b.contains(id));

      String slow = api.submit("{\"tasks\": [{\"id\": \"s\", \"fn\": \"util.sleep\","
          + " \"params\": {\"ms\": 60000}}]}");
      HttpResponse<String> refused = api.post("/api/v1/jobs", graph);
      assertEquals(429, refused.statusCode(), refused.body());
      assertEquals(200, api.post("/api/v1/jobs/" + slow + "/cancel", "").statusCode());
    }
    try (CalcGridNode again = TestNodes.postgres(db, limits)) {
      HttpResponse<String> replay = new Api(again.httpPort()).post("/api/v1/jobs", graph,
          "Idempotency-Key", "pg-key");
      assertEquals(200, replay.statusCode(), replay.body());
      assertEquals(id, Api.json(replay).get("id").asText());
    }
  }
}
