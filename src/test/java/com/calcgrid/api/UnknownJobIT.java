package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Reads of job ids nobody submitted are answered 404 from the job index and write nothing: no
 * supervisor is started, so neither its journal nor sharding's remembered entities grow.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnknownJobIT {
  private static final String QUICK = "{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}";
  private static final List<String> TABLES = List.of("\"event_journal\"", "\"snapshot\"",
      "\"durable_state\"", "calcgrid_jobs");
  private CalcGridNode node;
  private Api desk;
  private Api otherDesk;
  private String dbUrl;

  @BeforeAll
  void start() throws Exception {
    node = TestNodes.h2(Tokens.hs256Node());
    Api anonymous = new Api(node.httpPort());
    desk = anonymous.as(Tokens.token("alice", "desk-a", "submitter"));
    otherDesk = anonymous.as(Tokens.token("bob", "desk-b", "submitter"));
    Config config = node.system().settings().config();
    dbUrl = config.getString("calcgrid.db.url");
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  /** Rows of the journal, snapshot, durable-state and index tables. */
  private Map<String, Long> rows() throws Exception {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(dbUrl, "sa", "");
        Statement st = c.createStatement()) {
      for (String table : TABLES) {
        // the readiness probe writes its own events (calcgrid-health|...) every few seconds
        String where = table.equals("\"event_journal\"")
            ? " WHERE \"persistence_id\" NOT LIKE 'calcgrid-health|%'" : "";
        try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table + where)) {
          rs.next();
          counts.put(table, rs.getLong(1));
        }
      }
    }
    return counts;
  }

  @Test
  void tenThousandReadsOfUnknownIdsAre404AndWriteNothing() throws Exception {
    // a real job first: the journal and sharding's remembered entities are in use
    String known = desk.submit(QUICK);
    desk.awaitFinished(known, java.time.Duration.ofSeconds(60));
    Map<String, Long> before = Api.await(this::rows, java.time.Duration.ofSeconds(30),
        r -> r.get("\"event_journal\"") > 0);
    int supervisorsBefore = supervisors();

    List<String> paths = List.of("", "/tasks/a", "/results", "/results?scope=all", "/events");
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        String id = UUID.randomUUID().toString();
        // each read of a job in turn, and every sixth a cancel
        boolean cancel = i % (paths.size() + 1) == paths.size();
        String path = "/api/v1/jobs/" + id + (cancel ? "" : paths.get(i % (paths.size() + 1)));
        answers.add(pool.submit(() -> {
          HttpResponse<String> r = cancel
              ? desk.send(desk.request("/api/v1/jobs/" + id + "/cancel")
                  .POST(HttpRequest.BodyPublishers.noBody()))
              : desk.get(path);
          return r.statusCode() + " " + r.headers().firstValue("Content-Type").orElse("")
              + " " + Api.json(r).path("type").asText() + " " + (cancel ? "cancel" : path);
        }));
      }
      for (Future<String> f : answers) {
        String answer = f.get(120, TimeUnit.SECONDS);
        assertTrue(answer.startsWith("404 application/problem+json "
            + "https://calcgrid.dev/problems/not-found"), answer);
      }
    } finally {
      pool.shutdownNow();
    }
    // WebSocket upgrades of unknown ids are refused before the upgrade, as plain 404s
    for (int i = 0; i < 20; i++) {
      URI uri = URI.create(desk.base().replace("http", "ws") + "/api/v1/jobs/"
          + UUID.randomUUID() + "/events?access_token=" + Tokens.token("alice", "desk-a",
              "viewer"));
      try {
        WebSocket ws = desk.client().newWebSocketBuilder()
            .buildAsync(uri, new WebSocket.Listener() {}).join();
        ws.abort();
        throw new AssertionError("an unknown job's events were upgraded");
      } catch (CompletionException e) {
        assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
        assertEquals(404, ((WebSocketHandshakeException) e.getCause()).getResponse()
            .statusCode());
      }
    }
    assertEquals(before, rows());
    // supervisors of finished jobs may have stopped meanwhile; none may have started
    assertTrue(supervisors() <= supervisorsBefore, supervisors() + " > " + supervisorsBefore);
  }

  /** Job supervisors running in the cluster, as the cluster view counts them. */
  private int supervisors() throws Exception {
    JsonNode cluster = Api.json(desk.get("/api/v1/cluster"));
    return cluster.findValues("supervisors").stream().mapToInt(JsonNode::asInt).sum();
  }

  @Test
  void aJobIsFoundTheMomentItIsAcceptedAndOnlyByItsTenant() throws Exception {
    for (int i = 0; i < 20; i++) {
      String id = desk.submit(QUICK);
      HttpResponse<String> own = desk.get("/api/v1/jobs/" + id);
      assertEquals(200, own.statusCode(), own.body());
      HttpResponse<String> foreign = otherDesk.get("/api/v1/jobs/" + id);
      assertEquals(404, foreign.statusCode(), foreign.body());
      assertEquals(404, otherDesk.send(otherDesk.request("/api/v1/jobs/" + id + "/cancel")
          .POST(HttpRequest.BodyPublishers.noBody())).statusCode());
    }
  }
}
