package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Body size, graph size, JSON shape, and admission control over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LimitsIT {
  private static final int NODE_IN_FLIGHT = 4;
  private static final int TENANT_IN_FLIGHT = 2;
  private static final int RUNNING_PER_TENANT = 3;
  private static final String SLOW = "{\"tasks\": [{\"id\": \"s\", \"fn\": \"util.sleep\","
      + " \"params\": {\"ms\": 60000}}]}";
  private static final String QUICK = "{\"tasks\": [{\"id\": \"q\", \"fn\": \"util.sum\"}]}";
  private CalcGridNode node;
  private Api anonymous;

  @BeforeAll
  void start() throws Exception {
    Map<String, Object> settings = new HashMap<>(Tokens.hs256Node());
    settings.put("calcgrid.http.max-body", "64k");
    settings.put("calcgrid.graph.max-tasks", 1000);
    settings.put("calcgrid.limits.max-submissions-in-flight", NODE_IN_FLIGHT);
    settings.put("calcgrid.limits.max-submissions-in-flight-per-tenant", TENANT_IN_FLIGHT);
    settings.put("calcgrid.limits.max-running-jobs-per-tenant", RUNNING_PER_TENANT);
    // slow bodies below are held open on purpose, as long as a test needs them
    settings.put("calcgrid.limits.body-read-timeout", "5m");
    node = TestNodes.h2(settings);
    anonymous = new Api(node.httpPort());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  private Api desk(String tenant) {
    return anonymous.as(Tokens.token("user-" + tenant, tenant, "submitter"));
  }

  private static JsonNode assertProblem(HttpResponse<String> r, int status, String type)
      throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""),
        r.body());
    JsonNode problem = Api.json(r);
    assertEquals("https://calcgrid.dev/problems/" + type, problem.get("type").asText(), r.body());
    assertEquals(status, problem.get("status").asInt());
    return problem;
  }

  @Test
  void anOversizedBodyIs413WithOrWithoutContentLength() throws Exception {
    Api api = desk("big");
    String big = "{\"name\": \"" + "x".repeat(100_000) + "\", \"tasks\": []}";
    assertProblem(api.post("/api/v1/jobs", big), 413, "body-too-large");
    HttpResponse<String> chunked = api.send(api.request("/api/v1/jobs")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofString(big))));
    JsonNode problem = assertProblem(chunked, 413, "body-too-large");
    assertEquals(65536, problem.get("limit").asLong());
    Api.await(() -> node.admission().inFlight(), Duration.ofSeconds(10), n -> n == 0);
  }

  @Test
  void aGraphOverTheTaskLimitIs422AndAMalformedOneStill400() throws Exception {
    Api api = desk("shapes");
    JsonNode problem = assertProblem(api.post("/api/v1/jobs", "{\"tasks\": [{\"id\": \"px\","
        + " \"fn\": \"util.sum\", \"forEach\": {\"param\": \"i\", \"range\": [0, 5000]}}]}"),
        422, "graph-too-large");
    assertTrue(problem.get("detail").asText().contains("expands to 5000 tasks; the limit is 1000"),
        problem.toString());
    assertEquals("tasks", problem.get("errors").get(0).get("where").asText());

    // too large and also wrong: the mistakes come first
    assertProblem(api.post("/api/v1/jobs", "{\"tasks\": [{\"id\": \"px\", \"fn\": \"no.such\","
        + " \"forEach\": {\"param\": \"i\", \"range\": [0, 5000]}}]}"), 400, "invalid-graph");
    assertProblem(api.post("/api/v1/jobs", "{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\","
        + " \"deps\": [\"nope\"]}]}"), 400, "invalid-graph");
  }

  @Test
  void jsonNestedTooDeeplyIs400() throws Exception {
    String deep = "[".repeat(100) + "]".repeat(100);
    JsonNode problem = assertProblem(desk("shapes").post("/api/v1/jobs",
        "{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\", \"params\": {\"v\": " + deep + "}}]}"),
        400, "invalid-graph");
    assertTrue(problem.get("detail").asText().contains("exceeds a size limit"), problem.toString());
  }

  /**
   * Submissions whose bodies are still arriving hold their places in the queue: a tenant with
   * all its places taken is refused at once, another tenant gets in, and a full node refuses
   * everybody at once. Nothing waits, and nothing is buffered past the bound.
   */
  @Test
  void fullSubmissionQueuesRefuseAtOnceAndOtherTenantsStillGetIn() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < TENANT_IN_FLIGHT; i++) {
        slow.add(slowSubmission("slow-a"));
      }
      Api.await(() -> node.admission().inFlight(), Duration.ofSeconds(30),
          n -> n == TENANT_IN_FLIGHT);

      HttpResponse<String> refused = desk("slow-a").post("/api/v1/jobs", QUICK);
      assertProblem(refused, 429, "too-many-submissions");
      assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
      assertEquals(202, desk("slow-b").post("/api/v1/jobs", QUICK).statusCode());

      for (int i = 0; i < NODE_IN_FLIGHT - TENANT_IN_FLIGHT; i++) {
        slow.add(slowSubmission("slow-c"));
      }
      Api.await(() -> node.admission().inFlight(), Duration.ofSeconds(30),
          n -> n == NODE_IN_FLIGHT);
      HttpResponse<String> busy = desk("slow-d").post("/api/v1/jobs", QUICK);
      assertProblem(busy, 503, "unavailable");
      assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
    // clients that went away give their places back
    Api.await(() -> node.admission().inFlight(), Duration.ofSeconds(30), n -> n == 0);
    assertTrue(node.admission().peakInFlight() <= NODE_IN_FLIGHT,
        "peak " + node.admission().peakInFlight());
    assertEquals(202, desk("slow-d").post("/api/v1/jobs", QUICK).statusCode());
  }

  /** A submission that sends its headers and the start of its body, then nothing more. */
  private Socket slowSubmission(String tenant) throws Exception {
    Socket s = new Socket("127.0.0.1", node.httpPort());
    OutputStream out = s.getOutputStream();
    out.write(("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer " + Tokens.token("user-" + tenant, tenant, "submitter") + "\r\n"
        + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"tasks\": [")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return s;
  }

  /**
   * One desk floods the node with submissions of long jobs while another submits normally: the
   * flood is refused with 429 (too many in flight, then too many running), never more than its
   * running limit gets in, and the other desk's submissions are all accepted.
   */
  @Test
  void aFloodFromOneTenantGets429sWhileAnotherTenantGets202s() throws Exception {
    Api flood = desk("flood");
    Api calm = desk("calm");
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<Future<HttpResponse<String>>> flooded = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        flooded.add(pool.submit(() -> flood.post("/api/v1/jobs", SLOW)));
      }
      for (int i = 0; i < RUNNING_PER_TENANT; i++) {
        HttpResponse<String> r = calm.post("/api/v1/jobs", QUICK);
        assertEquals(202, r.statusCode(), r.body());
      }
      int accepted = 0;
      int refused = 0;
      for (Future<HttpResponse<String>> f : flooded) {
        HttpResponse<String> r = f.get();
        if (r.statusCode() == 202) {
          accepted++;
          continue;
        }
        assertEquals(429, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.headers().toString());
        String type = Api.json(r).get("type").asText();
        assertTrue(type.endsWith("/too-many-submissions") || type.endsWith("/too-many-running-jobs"),
            type);
        refused++;
      }
      assertTrue(accepted >= 1 && accepted <= RUNNING_PER_TENANT, "accepted " + accepted);
      assertEquals(40, accepted + refused);
      // the flood may have filled fewer than its running limit; the next ones fill it up
      HttpResponse<String> more = flood.post("/api/v1/jobs", SLOW);
      for (int i = accepted; i < RUNNING_PER_TENANT && more.statusCode() == 202; i++) {
        more = flood.post("/api/v1/jobs", SLOW);
      }
      JsonNode problem = assertProblem(more, 429, "too-many-running-jobs");
      assertTrue(problem.get("detail").asText().contains("tenant 'flood'"), problem.toString());
      assertEquals("10", more.headers().firstValue("Retry-After").orElse(""));
    } finally {
      pool.shutdownNow();
    }
    assertTrue(node.admission().peakInFlight() <= NODE_IN_FLIGHT,
        "peak " + node.admission().peakInFlight());
    Api.await(() -> node.admission().inFlight(), Duration.ofSeconds(30), n -> n == 0);
  }
}
