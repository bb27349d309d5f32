package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Deleting jobs, by {@code DELETE /api/v1/jobs/{id}} and by retention, against a real node and
 * its real database, with the rows counted in the database itself: H2 in {@link JobDeletionIT},
 * PostgreSQL in {@link JobDeletionPostgresIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JobDeletionContract {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String SLOW = "{\"name\": \"slow\", \"tasks\": [{\"id\": \"s\","
      + " \"fn\": \"util.sleep\", \"params\": {\"ms\": 600000}}]}";
  /**
   * 40 tasks in waves, then a chain of 6: each link is written before the next runs, so at
   * least 8 journal events and, with snapshot-every 5, a snapshot.
   */
  private static final String FAN = """
      {"name": "fan", "tasks": [
        {"id": "a", "fn": "util.sum", "params": {"value": 1}, "forEach": {"param": "i", "range": [0, 20]}},
        {"id": "b", "fn": "util.sum", "deps": ["a"], "forEach": {"param": "j", "range": [0, 20]}},
        {"id": "c1", "fn": "util.sum", "deps": ["b"]}, {"id": "c2", "fn": "util.sum", "deps": ["c1"]},
        {"id": "c3", "fn": "util.sum", "deps": ["c2"]}, {"id": "c4", "fn": "util.sum", "deps": ["c3"]},
        {"id": "c5", "fn": "util.sum", "deps": ["c4"]}, {"id": "c6", "fn": "util.sum", "deps": ["c5"]}]}""";

  private CalcGridNode node;
  private Connection db;
  private Api deskA;
  private Api deskB;
  private Api viewerA;
  private Api admin;

  /** A node on a database of its own, with these settings. */
  abstract CalcGridNode start(Map<String, Object> settings) throws Exception;

  @BeforeAll
  void startNode() throws Exception {
    Map<String, Object> settings = new HashMap<>(Tokens.hs256Node());
    settings.put("calcgrid.job.snapshot-every", 5);
    // several delete statements per job, oldest first, as for a large job
    settings.put("calcgrid.retention.events-per-batch", 3);
    node = start(settings);
    db = open(node);
    Api anonymous = new Api(node.httpPort());
    deskA = anonymous.as(Tokens.token("alice", "desk-a", "submitter"));
    viewerA = anonymous.as(Tokens.token("vic", "desk-a", "viewer"));
    deskB = anonymous.as(Tokens.token("bob", "desk-b", "submitter", "viewer"));
    admin = anonymous.as(Tokens.token("ada", "ops", "admin"));
  }

  @AfterAll
  void stopNode() throws Exception {
    if (db != null) {
      db.close();
    }
    if (node != null) {
      node.close();
    }
  }

  /** The node's own database, opened again from the test: the same rows, not a copy. */
  private static Connection open(CalcGridNode node) throws Exception {
    Config c = node.system().settings().config();
    return DriverManager.getConnection(c.getString("calcgrid.db.url"),
        c.getString("calcgrid.db.user"), c.getString("calcgrid.db.password"));
  }

  private static HttpResponse<String> delete(Api api, String id) throws Exception {
    return api.send(api.request("/api/v1/jobs/" + id).DELETE());
  }

  /** Rows of the job in the journal, snapshots, index and idempotency keys, in that order. */
  private static long[] rows(Connection db, String id) throws Exception {
    String pid = "Job|" + id;
    return new long[] {
        count(db, "SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" = ?", pid),
        count(db, "SELECT COUNT(*) FROM \"snapshot\" WHERE \"persistence_id\" = ?", pid),
        count(db, "SELECT COUNT(*) FROM calcgrid_jobs WHERE id = ?", id),
        count(db, "SELECT COUNT(*) FROM calcgrid_idempotency WHERE job_id = ?", id)};
  }

  private static long count(Connection db, String sql, String arg) throws Exception {
    try (PreparedStatement st = db.prepareStatement(sql)) {
      st.setString(1, arg);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void assertNotFound(HttpResponse<String> r) throws Exception {
    assertEquals(404, r.statusCode(), r.body());
    assertEquals("https://calcgrid.dev/problems/not-found", Api.json(r).get("type").asText());
  }

  @Test
  void aDeletedJobIsGoneFromTheApiAndFromEveryTable() throws Exception {
    HttpResponse<String> submitted = deskA.post("/api/v1/jobs", FAN, "Idempotency-Key", "eod-1");
    assertEquals(202, submitted.statusCode(), submitted.body());
    String id = Api.json(submitted).get("id").asText();
    assertEquals("SUCCEEDED", deskA.awaitFinished(id, WAIT).get("state").asText());
    long[] before = rows(db, id);
    assertTrue(before[0] >= 8 && before[1] >= 1 && before[2] == 1 && before[3] == 1,
        "journal, snapshots, index, keys before: " + java.util.Arrays.toString(before));

    assertEquals(403, delete(viewerA, id).statusCode(), "a viewer may not delete");
    HttpResponse<String> deleted = delete(deskA, id);
    assertEquals(204, deleted.statusCode(), deleted.body());
    assertEquals("[0, 0, 0, 0]", java.util.Arrays.toString(rows(db, id)));
    assertNotFound(deskA.get("/api/v1/jobs/" + id));
    assertNotFound(deskA.get("/api/v1/jobs/" + id + "/tasks/a%5B0%5D"));
    assertNotFound(deskA.get("/api/v1/jobs/" + id + "/results"));
    JsonNode listed = Api.json(deskA.get("/api/v1/jobs"));
    for (JsonNode j : listed.get("jobs")) {
      assertNotEquals(id, j.get("id").asText(), "still listed: " + listed);
    }
    assertNotFound(delete(deskA, id));
    // asking about the deleted job wrote nothing back
    assertEquals("[0, 0, 0, 0]", java.util.Arrays.toString(rows(db, id)));

    // the key went with the job: the same submission again is a new job, run again
    HttpResponse<String> again = deskA.post("/api/v1/jobs", FAN, "Idempotency-Key", "eod-1");
    assertEquals(202, again.statusCode(), again.body());
    String second = Api.json(again).get("id").asText();
    assertNotEquals(id, second);
    assertEquals("SUCCEEDED", deskA.awaitFinished(second, WAIT).get("state").asText());
  }

  @Test
  void anotherTenantCannotDeleteAndARunningJobIsRefusedUntilCancelled() throws Exception {
    String running = deskA.submit(SLOW);
    HttpResponse<String> missing = delete(deskB, "no-such-job");
    HttpResponse<String> foreign = delete(deskB, running);
    assertNotFound(foreign);
    assertEquals(Api.json(missing).get("detail").asText().replace("no-such-job", running),
        Api.json(foreign).get("detail").asText(), "indistinguishable from a missing job");

    HttpResponse<String> refused = delete(deskA, running);
    assertEquals(409, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("cancel"), refused.body());
    assertEquals("RUNNING", deskA.job(running).get("state").asText());
    assertTrue(rows(db, running)[0] > 0, "nothing deleted from a running job");

    assertEquals(200, deskA.post("/api/v1/jobs/" + running + "/cancel", "").statusCode());
    // an administrator may delete any tenant's job
    HttpResponse<String> deleted = delete(admin, running);
    assertEquals(204, deleted.statusCode(), deleted.body());
    assertEquals("[0, 0, 0, 0]", java.util.Arrays.toString(rows(db, running)));
    assertNotFound(deskA.get("/api/v1/jobs/" + running));
  }

  @Test
  void retentionDeletesJobsThatFinishedLongerAgoButNotRunningOnes() throws Exception {
    try (CalcGridNode short_ = start(Map.of("calcgrid.retention.keep-finished", "2s",
        "calcgrid.retention.check-every", "200ms", "calcgrid.retention.events-per-batch", 2));
        Connection rdb = open(short_)) {
      Api api = new Api(short_.httpPort());
      String running = api.submit(SLOW);
      String old = api.submit(FAN);
      assertEquals("SUCCEEDED", api.awaitFinished(old, WAIT).get("state").asText());
      assertTrue(rows(rdb, old)[0] > 0);
      Api.await(() -> api.get("/api/v1/jobs/" + old).statusCode(), WAIT, s -> s == 404);
      Api.await(() -> java.util.Arrays.toString(rows(rdb, old)), WAIT, "[0, 0, 0, 0]"::equals);
      assertEquals("RUNNING", api.job(running).get("state").asText());
      long[] kept = rows(rdb, running);
      assertTrue(kept[0] > 0 && kept[2] == 1, java.util.Arrays.toString(kept));
      assertEquals(200, api.post("/api/v1/jobs/" + running + "/cancel", "").statusCode());
    }
  }
}
