package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.LogCapture;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Desks do not see each other's jobs: REST, listing and WebSocket, over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TenancyIT {
  private static final String SLOW = "{\"name\": \"slow\", \"tasks\": [{\"id\": \"s\","
      + " \"fn\": \"util.sleep\", \"params\": {\"ms\": 60000}}]}";
  private CalcGridNode node;
  private Api anonymous;
  private Api deskA;
  private Api deskB;
  private Api admin;
  private String jobOfA;

  @BeforeAll
  void start() throws Exception {
    node = TestNodes.h2(Tokens.hs256Node());
    anonymous = new Api(node.httpPort());
    deskA = anonymous.as(Tokens.token("alice", "desk-a", "submitter"));
    deskB = anonymous.as(Tokens.token("bob", "desk-b", "submitter", "viewer"));
    admin = anonymous.as(Tokens.token("ada", "ops", "admin"));
    jobOfA = deskA.submit(SLOW);
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  private static void assertNotFound(HttpResponse<String> r) throws Exception {
    assertEquals(404, r.statusCode(), r.body());
    assertEquals("https://calcgrid.dev/problems/not-found", Api.json(r).get("type").asText());
  }

  @Test
  void anotherTenantsJobIsNotFoundAndCannotBeCancelled() throws Exception {
    assertEquals(200, deskA.get("/api/v1/jobs/" + jobOfA).statusCode());
    HttpResponse<String> missing = deskB.get("/api/v1/jobs/no-such-job");
    HttpResponse<String> foreign = deskB.get("/api/v1/jobs/" + jobOfA);
    assertNotFound(foreign);
    // indistinguishable from a job that does not exist, apart from the id
    assertEquals(Api.json(missing).get("detail").asText().replace("no-such-job", jobOfA),
        Api.json(foreign).get("detail").asText());
    assertNotFound(deskB.get("/api/v1/jobs/" + jobOfA + "/tasks/s"));
    assertNotFound(deskB.get("/api/v1/jobs/" + jobOfA + "/results"));
    assertNotFound(deskB.post("/api/v1/jobs/" + jobOfA + "/cancel", ""));
    assertEquals("RUNNING", deskA.job(jobOfA).get("state").asText());
  }

  @Test
  void listingShowsOnlyTheCallersTenantExceptToAdmins() throws Exception {
    String jobOfB = deskB.submit("{\"name\": \"b\", \"tasks\": [{\"id\": \"x\", \"fn\": \"util.sum\"}]}");
    List<String> seenByA = ids(deskA.get("/api/v1/jobs"));
    assertTrue(seenByA.contains(jobOfA));
    assertFalse(seenByA.contains(jobOfB), seenByA.toString());
    List<String> seenByB = ids(deskB.get("/api/v1/jobs"));
    assertTrue(seenByB.contains(jobOfB));
    assertFalse(seenByB.contains(jobOfA), seenByB.toString());

    HttpResponse<String> peek = deskB.get("/api/v1/jobs?tenant=desk-a");
    assertEquals(403, peek.statusCode(), peek.body());
    assertEquals(200, deskB.get("/api/v1/jobs?tenant=desk-b").statusCode());

    List<String> all = ids(admin.get("/api/v1/jobs"));
    assertTrue(all.contains(jobOfA) && all.contains(jobOfB), all.toString());
    List<String> onlyA = ids(admin.get("/api/v1/jobs?tenant=desk-a"));
    assertTrue(onlyA.contains(jobOfA));
    assertFalse(onlyA.contains(jobOfB), onlyA.toString());
    assertEquals("desk-a", admin.job(jobOfA).get("tenant").asText());
  }

  private static List<String> ids(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    List<String> ids = new ArrayList<>();
    Api.json(r).get("jobs").forEach(j -> ids.add(j.get("id").asText()));
    return ids;
  }

  /** Completes with the first text message, or fails with the handshake's error. */
  private CompletableFuture<JsonNode> firstMessage(String path, String bearer) throws Exception {
    CompletableFuture<JsonNode> first = new CompletableFuture<>();
    WebSocket.Builder b = anonymous.client().newWebSocketBuilder();
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    WebSocket ws = b.buildAsync(URI.create(anonymous.base().replace("http", "ws") + path),
        new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket s, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              try {
                first.complete(Api.JSON.readTree(text.toString()));
              } catch (Exception e) {
                first.completeExceptionally(e);
              }
            }
            s.request(1);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    first.whenComplete((m, e) -> ws.abort());
    return first;
  }

  private static int handshakeStatus(ExecutionException e) {
    assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
    return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
  }

  @Test
  void eventsOfAnotherTenantsJobAre404BeforeTheUpgrade() throws Exception {
    String tokenB = Tokens.token("bob", "desk-b", "viewer");
    String events = "/api/v1/jobs/" + jobOfA + "/events";
    assertEquals(404, handshakeStatus(assertThrows(ExecutionException.class,
        () -> firstMessage(events, tokenB))));
    assertEquals(404, handshakeStatus(assertThrows(ExecutionException.class,
        () -> firstMessage(events + "?access_token=" + tokenB, null))));
    assertEquals(401, handshakeStatus(assertThrows(ExecutionException.class,
        () -> firstMessage(events, null))));

    JsonNode snapshot = firstMessage(events, Tokens.token("alice", "desk-a", "viewer"))
        .get(30, TimeUnit.SECONDS);
    assertEquals("snapshot", snapshot.get("type").asText());
    assertEquals(jobOfA, snapshot.get("job").get("id").asText());
  }

  @Test
  void aTokenInTheQueryOpensTheSocketAndNeverReachesTheLog() throws Exception {
    String token = Tokens.token("alice", "desk-a", "viewer");
    String events = "/api/v1/jobs/" + jobOfA + "/events";
    try (LogCapture logs = LogCapture.capture()) {
      JsonNode snapshot = firstMessage(events + "?access_token=" + token, null)
          .get(30, TimeUnit.SECONDS);
      assertEquals(jobOfA, snapshot.get("job").get("id").asText());
      // only for WebSocket upgrades: a plain request with the token in the query is not let in
      HttpResponse<String> plain = anonymous.get("/api/v1/jobs?access_token=" + token);
      assertEquals(401, plain.statusCode());

      // requests the server cannot parse are logged: the token in them must not be
      String status = rawRequest("GET " + events + "?access_token=" + token + "&x=%zz HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: close\r\n\r\n");
      assertTrue(status.startsWith("HTTP/1.1 400"), status);
      String badHeader = rawRequest("GET /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + token + " \"broken\r\nConnection: close\r\n\r\n");
      assertTrue(badHeader.startsWith("HTTP/1.1 401"), badHeader);

      Api.await(logs::events, Duration.ofSeconds(10),
          e -> e.stream().anyMatch(line -> line.contains("Illegal request")));
      String signature = token.substring(token.lastIndexOf('.') + 1);
      for (String line : logs.events()) {
        assertFalse(line.contains(signature), "token in the log: " + line);
      }
    }
  }

  /** Sends raw bytes, returns the response's status line. */
  private String rawRequest(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
        line.append((char) c);
      }
      return line.toString();
    }
  }
}
