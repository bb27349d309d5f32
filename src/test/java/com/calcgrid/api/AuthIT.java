package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Bearer tokens and roles over real HTTP against a node with HS256 authentication. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthIT {
  private static final String GRAPH =
      "{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\", \"params\": {\"value\": 1}}]}";
  private CalcGridNode node;
  private Api anonymous;

  @BeforeAll
  void start() throws Exception {
    node = TestNodes.h2(Tokens.hs256Node());
    anonymous = new Api(node.httpPort());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  private Api as(String token) {
    return anonymous.as(token);
  }

  /** 401, problem+json, a Bearer challenge, and {@code reason} in the detail. */
  private static JsonNode assertUnauthorized(HttpResponse<String> r, String reason)
      throws Exception {
    assertEquals(401, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
    String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
    assertTrue(challenge.startsWith("Bearer"), challenge);
    JsonNode problem = Api.json(r);
    assertEquals(401, problem.get("status").asInt());
    assertTrue(problem.get("detail").asText().contains(reason), problem.toString());
    return problem;
  }

  @Test
  void noTokenIs401WithABearerChallenge() throws Exception {
    assertUnauthorized(anonymous.get("/api/v1/jobs"), "no bearer token");
    assertUnauthorized(anonymous.post("/api/v1/jobs", GRAPH), "no bearer token");
    assertUnauthorized(anonymous.send(anonymous.request("/api/v1/jobs")
        .header("Authorization", "Basic dXNlcjpwYXNz").GET()), "no bearer token");
  }

  @Test
  void expiredTokenIs401AndSaysSo() throws Exception {
    Instant past = Instant.now().minus(Duration.ofHours(1));
    String token = Tokens.sign(Tokens.claims("alice", "desk-a", "viewer")
        .issueTime(Date.from(past.minusSeconds(600)))
        .expirationTime(Date.from(past)).build());
    HttpResponse<String> r = as(token).get("/api/v1/jobs");
    assertUnauthorized(r, "expired");
    assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("")
        .contains("invalid_token"), r.headers().toString());
  }

  @Test
  void wrongAudienceOrIssuerIs401AndSaysWhich() throws Exception {
    assertUnauthorized(as(Tokens.sign(Tokens.claims("alice", "desk-a", "viewer")
        .audience("another-service").build())).get("/api/v1/jobs"), "wrong audience");
    assertUnauthorized(as(Tokens.sign(Tokens.claims("alice", "desk-a", "viewer")
        .issuer("https://evil.example").build())).get("/api/v1/jobs"), "wrong issuer");
  }

  @Test
  void badSignatureNoneAlgorithmAndGarbageAre401() throws Exception {
    JWTClaimsSet claims = Tokens.claims("alice", "desk-a", "admin").build();
    assertUnauthorized(as(Tokens.sign(claims, "another-secret-that-is-at-least-32-bytes"))
        .get("/api/v1/jobs"), "bad signature");
    assertUnauthorized(as(new PlainJWT(new PlainHeader(), claims).serialize())
        .get("/api/v1/jobs"), "not a signed JWT");
    assertUnauthorized(as("not-a-token").get("/api/v1/jobs"), "not a signed JWT");
  }

  @Test
  void tokenNotYetValidOrWithoutTenantIs401() throws Exception {
    Instant later = Instant.now().plus(Duration.ofHours(1));
    assertUnauthorized(as(Tokens.sign(Tokens.claims("alice", "desk-a", "viewer")
        .notBeforeTime(Date.from(later)).expirationTime(Date.from(later.plusSeconds(60)))
        .build())).get("/api/v1/jobs"), "not valid before");
    assertUnauthorized(as(Tokens.sign(Tokens.claims("alice", "desk-a", "viewer")
        .claim("tenant", null).build())).get("/api/v1/jobs"), "no 'tenant'");
  }

  @Test
  void viewerMayReadButPostingIs403() throws Exception {
    Api viewer = as(Tokens.token("victor", "desk-a", "viewer"));
    HttpResponse<String> r = viewer.post("/api/v1/jobs", GRAPH);
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
    JsonNode problem = Api.json(r);
    assertEquals("submitter", problem.get("requiredRole").asText());
    assertTrue(problem.get("detail").asText().contains("may not submit jobs"), r.body());
    assertEquals(200, viewer.get("/api/v1/jobs").statusCode());

    String id = as(Tokens.token("sam", "desk-a", "submitter")).submit(GRAPH);
    assertEquals(200, viewer.get("/api/v1/jobs/" + id).statusCode());
    assertEquals(403, viewer.post("/api/v1/jobs/" + id + "/cancel", "").statusCode());
  }

  @Test
  void aTokenWithoutAKnownRoleMayDoNothing() throws Exception {
    Api nobody = as(Tokens.token("nora", "desk-a", "guest"));
    HttpResponse<String> r = nobody.get("/api/v1/jobs");
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("viewer", Api.json(r).get("requiredRole").asText());
  }

  @Test
  void submitterSubmitsAndCancels() throws Exception {
    Api submitter = as(Tokens.token("sam", "desk-a", "submitter"));
    String id = submitter.submit("{\"tasks\": [{\"id\": \"slow\", \"fn\": \"util.sleep\","
        + " \"params\": {\"ms\": 60000}}]}");
    HttpResponse<String> cancelled = submitter.post("/api/v1/jobs/" + id + "/cancel", "");
    assertEquals(200, cancelled.statusCode(), cancelled.body());
    assertEquals("desk-a", Api.json(cancelled).get("tenant").asText());
  }

  @Test
  void healthNeedsNoToken() throws Exception {
    assertEquals(200, anonymous.get("/health/alive").statusCode());
    Api.await(() -> anonymous.get("/health/ready").statusCode(), Duration.ofSeconds(30),
        s -> s == 200);
  }

  @Test
  void clusterMembershipIsReadableByAnyRoleAndChangeableOnlyByAdmins() throws Exception {
    assertEquals(401, anonymous.get("/api/v1/cluster").statusCode());
    HttpResponse<String> members = as(Tokens.token("victor", "desk-a", "viewer"))
        .get("/api/v1/cluster");
    assertEquals(200, members.statusCode(), members.body());
    assertTrue(members.body().contains("members"), members.body());

    String stranger = "/api/v1/cluster/members/127.0.0.1:1/down";
    HttpResponse<String> r = as(Tokens.token("sam", "desk-a", "submitter")).post(stranger, "");
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("admin", Api.json(r).get("requiredRole").asText());

    // an admin gets through to the cluster, which knows no such member
    HttpResponse<String> down = as(Tokens.token("ada", "ops", "admin")).post(stranger, "");
    assertEquals(404, down.statusCode(), down.body());
    assertTrue(down.body().contains("no cluster member"), down.body());
  }

  /**
   * The token in the query opens a job's event stream and nothing else: an {@code Upgrade}
   * header on any other request, or on the events path without a real WebSocket handshake,
   * does not make the query token count.
   */
  @Test
  void aQueryTokenCountsOnlyForTheEventsWebSocket() throws Exception {
    String submitter = Tokens.token("sam", "desk-a", "submitter");
    String job = as(submitter).submit(GRAPH);
    String upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    String q = "?access_token=" + submitter;
    assertTrue(raw("GET /api/v1/jobs" + q, upgrade).startsWith("HTTP/1.1 401"));
    assertTrue(raw("GET /api/v1/jobs/" + job + q, upgrade).startsWith("HTTP/1.1 401"));
    assertTrue(raw("GET /api/v1/jobs/" + job + "/results" + q, upgrade)
        .startsWith("HTTP/1.1 401"));
    assertTrue(raw("POST /api/v1/jobs" + q, upgrade + "Content-Type: application/json\r\n"
        + "Content-Length: " + GRAPH.length() + "\r\n\r\n" + GRAPH).startsWith("HTTP/1.1 401"));
    assertTrue(raw("POST /api/v1/jobs/" + job + "/cancel" + q, upgrade)
        .startsWith("HTTP/1.1 401"));
    // the events path, but no handshake: only an Upgrade header
    String fake = raw("GET /api/v1/jobs/" + job + "/events" + q, "Upgrade: websocket\r\n");
    assertTrue(fake.startsWith("HTTP/1.1 401"), fake);
    assertTrue(fake.contains("accepted only to open the WebSocket"), fake);
    // the real handshake on the events path is let in
    String real = raw("GET /api/v1/jobs/" + job + "/events" + q, upgrade);
    assertTrue(real.startsWith("HTTP/1.1 101"), real);
  }

  /** Sends one request with {@code headers} (and any body after them), returns the head. */
  private String raw(String requestLine, String headers) throws Exception {
    String request = requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (headers.contains("\r\n\r\n") ? headers : headers + "\r\n");
    try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int c = in.read();
        if (c < 0) {
          break;
        }
        head.append((char) c);
      }
      Matcher length = Pattern
          .compile("(?i)content-length: *(\\d+)").matcher(head);
      byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1)))
          : new byte[0];
      return head + new String(body, StandardCharsets.UTF_8);
    }
  }
}
