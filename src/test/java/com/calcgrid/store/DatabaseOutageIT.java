package com.calcgrid.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.Exposition;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.Postgres;
import com.calcgrid.testing.StallingProxy;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A database that stops, stalls or holds a lock never hangs the API: submissions get 503 with
 * Retry-After within a few seconds (and give their admission permit back), readiness reports the
 * storage DOWN and answers at once, /metrics answers from memory, and the node works again when
 * the database does. Real PostgreSQL, a real node process; "stalled" is a TCP proxy that stops
 * forwarding, "stopped" is .ci/pg-ctl.
 */
class DatabaseOutageIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  /** call-timeout 3s plus a loaded machine's slack: a submission must be answered by then. */
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);
  private static final String GRAPH = """
      {"tasks": [{"id": "a", "fn": "util.sum", "params": {"value": 1}}]}""";

  @Test
  void aStoppedDatabaseGets503InTimeAndReadinessDownThenTheNodeRecovers() throws Exception {
    Postgres.Db db = Postgres.freshDatabase();
    try (NodeProcess node = NodeProcess.start(TestNodes.freshDataDir(), env(db.url(), db))) {
      node.awaitReady(WAIT);
      Api api = node.api();
      assertEquals("SUCCEEDED", api.awaitFinished(api.submit(GRAPH), WAIT).get("state").asText());
      pgCtl("stop");
      try {
        JsonNode down = awaitStorageDown(api);
        String reason = down.path("reason").asText();
        assertTrue(reason.contains("database") || reason.contains("journal"), down.toString());
        // unauthenticated: what failed, never the driver's words (host, port, user)
        URI pg = URI.create(db.url().substring("jdbc:".length()));
        assertFalse(reason.contains(Integer.toString(pg.getPort())) || reason.contains("refused")
            || reason.contains(db.user()), reason);
        assertRefusedInTime(api, 6);
        assertMetricsFromMemory(api);
      } finally {
        pgCtl("start");
      }
      node.awaitReady(WAIT);
      assertEquals("SUCCEEDED", api.awaitFinished(api.submit(GRAPH), WAIT).get("state").asText());
    }
  }

  @Test
  void aStalledDatabaseGets503InTimeAndReadinessDownThenTheNodeRecovers() throws Exception {
    Postgres.Db db = Postgres.freshDatabase();
    URI target = URI.create(db.url().substring("jdbc:".length()));
    try (StallingProxy proxy = StallingProxy.to(target.getHost(), target.getPort());
        NodeProcess node = NodeProcess.start(TestNodes.freshDataDir(), env(
            "jdbc:postgresql://127.0.0.1:" + proxy.port() + target.getPath(), db))) {
      node.awaitReady(WAIT);
      Api api = node.api();
      assertEquals("SUCCEEDED", api.awaitFinished(api.submit(GRAPH), WAIT).get("state").asText());
      proxy.stall();
      try {
        // more at once than the pool has connections and the blocking dispatcher threads
        assertRefusedInTime(api, 12);
        awaitStorageDown(api);
        assertMetricsFromMemory(api);
        // no permit was kept: a second round is refused by the database's timeouts again, not
        // with 429 for a tenant whose permits are all held
        assertRefusedInTime(api, 12);
      } finally {
        proxy.resume();
      }
      node.awaitReady(WAIT);
      assertEquals("SUCCEEDED", api.awaitFinished(api.submit(GRAPH), WAIT).get("state").asText());
    }
  }

  @Test
  void aLockedIndexGets503InTimeByTheStatementTimeout() throws Exception {
    Postgres.Db db = Postgres.freshDatabase();
    try (NodeProcess node = NodeProcess.start(TestNodes.freshDataDir(), env(db.url(), db))) {
      node.awaitReady(WAIT);
      Api api = node.api();
      // another client holds the job index: every admission waits for the lock, the
      // connection stays healthy, and only the statement timeout (2s) ends the wait
      try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
          Statement st = c.createStatement()) {
        c.setAutoCommit(false);
        st.execute("LOCK TABLE calcgrid_jobs IN ACCESS EXCLUSIVE MODE");
        assertRefusedInTime(api, 4);
        c.rollback();
      }
      assertEquals("SUCCEEDED", api.awaitFinished(api.submit(GRAPH), WAIT).get("state").asText());
    }
  }

  private static Map<String, String> env(String url, Postgres.Db db) {
    Map<String, String> env = new HashMap<>();
    env.put("CALCGRID_DB_URL", url);
    env.put("CALCGRID_DB_USER", db.user());
    env.put("CALCGRID_DB_PASSWORD", db.password());
    env.put("CALCGRID_DB_STATEMENT_TIMEOUT", "2s");
    env.put("CALCGRID_DB_SOCKET_TIMEOUT", "4s");
    env.put("CALCGRID_DB_CONNECT_TIMEOUT", "2s");
    env.put("CALCGRID_DB_CALL_TIMEOUT", "3s");
    env.put("CALCGRID_HEALTH_PROBE_INTERVAL", "500ms");
    env.put("CALCGRID_HEALTH_PROBE_TIMEOUT", "2s");
    // room for every submission of a round at once, being read and waiting for the database:
    // a permit still held from the round before would turn the next round's answers into 429s
    env.put("CALCGRID_MAX_SUBMISSIONS_IN_FLIGHT", "16");
    env.put("CALCGRID_MAX_SUBMISSIONS_IN_FLIGHT_PER_TENANT", "16");
    env.put("CALCGRID_MAX_SUBMISSIONS_WAITING_PER_TENANT", "16");
    // one read at start, then none during the test: a scrape must not cause one
    env.put("CALCGRID_METRICS_JOBS_REFRESH", "10m");
    return env;
  }

  /** {@code n} submissions at once: each gets 503 with Retry-After, within the bound. */
  private static void assertRefusedInTime(Api api, int n) throws Exception {
    List<CompletableFuture<String>> answers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      answers.add(CompletableFuture.supplyAsync(() -> {
        long start = System.nanoTime();
        try {
          HttpResponse<String> r = api.post("/api/v1/jobs", GRAPH);
          long ms = (System.nanoTime() - start) / 1_000_000;
          assertEquals(503, r.statusCode(), r.body());
          assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.headers().toString());
          assertEquals("application/problem+json",
              r.headers().firstValue("Content-Type").orElse(""));
          assertTrue(ms < ANSWER_WITHIN.toMillis(), "answered after " + ms + " ms");
          return ms + " ms";
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (CompletableFuture<String> a : answers) {
      a.get(ANSWER_WITHIN.toSeconds() + 20, TimeUnit.SECONDS);
    }
  }

  /** Readiness turns DOWN, and every answer on the way comes at once. */
  private static JsonNode awaitStorageDown(Api api) throws Exception {
    return Api.await(() -> {
      long start = System.nanoTime();
      HttpResponse<String> r = api.get("/health/ready");
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 1000, "readiness took " + ms + " ms");
      return Api.json(r);
    }, Duration.ofSeconds(30), j -> "DOWN".equals(j.path("status").asText()));
  }

  /**
   * Scrapes answer at once while the database does not, and do not query it: the background
   * read counter stays where it was.
   */
  private static void assertMetricsFromMemory(Api api) throws Exception {
    double reads = -1;
    for (int i = 0; i < 20; i++) {
      long start = System.nanoTime();
      HttpResponse<String> r = api.get("/metrics");
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertEquals(200, r.statusCode());
      assertTrue(ms < 1000, "a scrape took " + ms + " ms");
      Exposition m = Exposition.parse(r.body());
      double now = m.value("calcgrid_jobs_reads_total", "outcome", "ok");
      assertTrue(reads < 0 || now == reads, "a scrape read the index: " + reads + " -> " + now);
      reads = now;
    }
  }

  /** Crashes or starts the test PostgreSQL through .ci/pg-ctl. */
  private static void pgCtl(String action) throws Exception {
    Process p = new ProcessBuilder(TestNodes.projectFile(".ci/pg-ctl").toString(), action)
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pg-ctl " + action + " timed out");
    assertEquals(0, p.exitValue(), "pg-ctl " + action + ": "
        + new String(p.getInputStream().readAllBytes()));
  }
}
