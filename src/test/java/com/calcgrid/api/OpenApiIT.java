package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.SimpleValidationReportFormat;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.schema.SchemaValidator;
import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.EventsClient;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * docs/openapi.yaml stays true to the server: real requests to a real node, every answer checked
 * against the description by a maintained validator (Atlassian's swagger-request-validator):
 * the status must be documented for the operation, and headers, content type and body must
 * match what is documented for that status. The events WebSocket's messages are checked
 * against their schema with the same library. Every documented operation is exercised.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiIT {
  private static final String QUICK = "{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}";
  private static final String SLOW = "{\"tasks\": [{\"id\": \"s\", \"fn\": \"util.sleep\","
      + " \"params\": {\"ms\": 60000}}]}";
  private CalcGridNode node;
  private Api anonymous;
  private Api desk;
  private OpenApiInteractionValidator validator;
  private OpenAPI spec;
  /** "METHOD /path/{template} status" of every exchange, for the coverage check. */
  private final Set<String> exercised = new TreeSet<>();

  @BeforeAll
  void start() throws Exception {
    Map<String, Object> settings = new HashMap<>(Tokens.hs256Node());
    settings.put("calcgrid.http.max-body", "64k");
    settings.put("calcgrid.graph.max-tasks", 1000);
    settings.put("calcgrid.limits.max-running-jobs-per-tenant", 2);
    settings.put("calcgrid.limits.max-submissions-in-flight", 1);
    settings.put("calcgrid.limits.max-submissions-in-flight-per-tenant", 1);
    node = TestNodes.h2(settings);
    anonymous = new Api(node.httpPort());
    desk = as("desk-a", "submitter");
    String file = TestNodes.projectFile("docs/openapi.yaml").toString();
    validator = OpenApiInteractionValidator.createForSpecificationUrl(file).build();
    spec = new OpenAPIV3Parser().read(file);
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  private Api as(String tenant, String role) {
    return anonymous.as(Tokens.token("user-" + tenant, tenant, role));
  }

  /**
   * Sends a real request, checks the answer against the description of {@code template}, and
   * that its status is {@code expected}.
   */
  private HttpResponse<String> exchange(int expected, Api api, String method, String template,
      String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = api.request(path);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = api.send(b.method(method, body == null
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(expected, r.statusCode(), method + " " + path + ": " + r.body());
    SimpleResponse.Builder response = SimpleResponse.Builder.status(r.statusCode())
        .withBody(r.body());
    r.headers().map().forEach(response::withHeader);
    r.headers().firstValue("Content-Type").ifPresent(response::withContentType);
    String plainPath = URI.create(api.base() + path).getRawPath();
    ValidationReport report = validator.validateResponse(plainPath,
        Request.Method.valueOf(method), response.build());
    assertFalse(report.hasErrors(), method + " " + path + " answered " + r.statusCode()
        + " not as documented:\n" + SimpleValidationReportFormat.getInstance().apply(report)
        + "\n" + r.headers().map() + "\n" + r.body());
    exercised.add(method + " " + template + " " + r.statusCode());
    return r;
  }

  @Test
  void theSubmissionExampleIsAValidRequestAndItsJobReadsAsDocumented() throws Exception {
    String example = Api.JSON.valueToTree(spec.getPaths().get("/api/v1/jobs").getPost()
        .getRequestBody().getContent().get("application/json").getExample()).toString();
    String token = Tokens.token("user-desk-a", "desk-a", "submitter");
    ValidationReport request = validator.validateRequest(SimpleRequest.Builder
        .post("/api/v1/jobs").withContentType("application/json")
        .withHeader("Authorization", "Bearer " + token).withBody(example).build());
    assertFalse(request.hasErrors(), SimpleValidationReportFormat.getInstance().apply(request));

    String id = Api.json(exchange(202, desk, "POST", "/api/v1/jobs", "/api/v1/jobs", example))
        .get("id").asText();
    desk.awaitFinished(id, Duration.ofSeconds(60));
    exchange(200, desk, "GET", "/api/v1/jobs/{jobId}", "/api/v1/jobs/" + id, null);
    exchange(200, desk, "GET", "/api/v1/jobs/{jobId}/tasks/{taskId}",
        "/api/v1/jobs/" + id + "/tasks/a", null);
    exchange(404, desk, "GET", "/api/v1/jobs/{jobId}/tasks/{taskId}",
        "/api/v1/jobs/" + id + "/tasks/nope", null);
    exchange(200, desk, "GET", "/api/v1/jobs/{jobId}/results", "/api/v1/jobs/" + id
        + "/results", null);
    exchange(200, desk, "GET", "/api/v1/jobs/{jobId}/results", "/api/v1/jobs/" + id
        + "/results?scope=all&offset=1&limit=1", null);
    exchange(400, desk, "GET", "/api/v1/jobs/{jobId}/results", "/api/v1/jobs/" + id
        + "/results?offset=2147483647", null);
    exchange(200, desk, "GET", "/api/v1/jobs", "/api/v1/jobs?state=SUCCEEDED", null);
    exchange(400, desk, "GET", "/api/v1/jobs", "/api/v1/jobs?state=SOMETIMES", null);
    exchange(409, desk, "POST", "/api/v1/jobs/{jobId}/cancel", "/api/v1/jobs/" + id
        + "/cancel", null);
  }

  @Test
  void aJobWithoutANameAndAFailedTaskReadAsDocumented() throws Exception {
    Api api = as("desk-f", "submitter");
    String id = api.submit("{\"tasks\": [{\"id\": \"f\", \"fn\": \"util.fail\","
        + " \"params\": {\"failTimes\": 5}}, {\"id\": \"g\", \"fn\": \"util.sum\","
        + " \"deps\": [\"f\"]}]}");
    api.awaitFinished(id, Duration.ofSeconds(60));
    exchange(200, api, "GET", "/api/v1/jobs/{jobId}", "/api/v1/jobs/" + id, null);
    exchange(200, api, "GET", "/api/v1/jobs/{jobId}/tasks/{taskId}",
        "/api/v1/jobs/" + id + "/tasks/f", null);
    exchange(200, api, "GET", "/api/v1/jobs/{jobId}/tasks/{taskId}",
        "/api/v1/jobs/" + id + "/tasks/g", null);
    exchange(200, api, "GET", "/api/v1/jobs/{jobId}/results",
        "/api/v1/jobs/" + id + "/results?scope=all", null);
    exchange(200, api, "GET", "/api/v1/jobs", "/api/v1/jobs", null);
    exchange(200, api, "GET", "/api/v1/jobs/{jobId}/tasks", "/api/v1/jobs/" + id
        + "/tasks?state=FAILED&limit=10", null);
    exchange(200, api, "GET", "/api/v1/jobs/{jobId}/tasks", "/api/v1/jobs/" + id
        + "/tasks?template=g", null);
    exchange(400, api, "GET", "/api/v1/jobs/{jobId}/tasks", "/api/v1/jobs/" + id
        + "/tasks?state=SOMETIMES", null);
    exchange(200, api, "GET", "/api/v1/jobs/{jobId}/graph", "/api/v1/jobs/" + id + "/graph",
        null);
    exchange(404, api, "GET", "/api/v1/jobs/{jobId}/graph", "/api/v1/jobs/"
        + java.util.UUID.randomUUID() + "/graph", null);
    exchange(200, api, "GET", "/api/v1/me", "/api/v1/me", null);
  }

  @Test
  void refusalsAreDocumentedProblems() throws Exception {
    exchange(400, desk, "POST", "/api/v1/jobs", "/api/v1/jobs",
        "{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\", \"deps\": [\"nope\"]}]}");
    exchange(422, desk, "POST", "/api/v1/jobs", "/api/v1/jobs", "{\"tasks\": [{\"id\": \"p\","
        + " \"fn\": \"util.sum\", \"forEach\": {\"param\": \"i\", \"range\": [0, 5000]}}]}");
    exchange(413, desk, "POST", "/api/v1/jobs", "/api/v1/jobs",
        "{\"name\": \"" + "x".repeat(100_000) + "\", \"tasks\": []}");
    exchange(400, desk, "POST", "/api/v1/jobs", "/api/v1/jobs", QUICK,
        "Idempotency-Key", "has spaces");
    exchange(202, desk, "POST", "/api/v1/jobs", "/api/v1/jobs", QUICK, "Idempotency-Key", "k1");
    exchange(200, desk, "POST", "/api/v1/jobs", "/api/v1/jobs", QUICK, "Idempotency-Key", "k1");
    exchange(409, desk, "POST", "/api/v1/jobs", "/api/v1/jobs",
        QUICK.replace("\"a\"", "\"b\""), "Idempotency-Key", "k1");

    exchange(401, anonymous, "GET", "/api/v1/jobs", "/api/v1/jobs", null);
    exchange(401, anonymous, "POST", "/api/v1/jobs", "/api/v1/jobs", QUICK);
    Api viewer = as("desk-a", "viewer");
    exchange(403, viewer, "POST", "/api/v1/jobs", "/api/v1/jobs", QUICK);
    exchange(403, viewer, "GET", "/api/v1/jobs", "/api/v1/jobs?tenant=desk-b", null);

    String unknown = "/api/v1/jobs/0b5e2c1e-0000-4000-8000-000000000000";
    exchange(404, desk, "GET", "/api/v1/jobs/{jobId}", unknown, null);
    exchange(401, anonymous, "GET", "/api/v1/jobs/{jobId}", unknown, null);
    exchange(404, desk, "GET", "/api/v1/jobs/{jobId}/tasks/{taskId}", unknown + "/tasks/a",
        null);
    exchange(404, desk, "GET", "/api/v1/jobs/{jobId}/results", unknown + "/results", null);
    exchange(401, anonymous, "GET", "/api/v1/jobs/{jobId}/results", unknown + "/results", null);
    exchange(404, desk, "POST", "/api/v1/jobs/{jobId}/cancel", unknown + "/cancel", null);
    exchange(403, viewer, "POST", "/api/v1/jobs/{jobId}/cancel", unknown + "/cancel", null);
    exchange(404, desk, "DELETE", "/api/v1/jobs/{jobId}", unknown, null);
    exchange(403, viewer, "DELETE", "/api/v1/jobs/{jobId}", unknown, null);
    exchange(401, anonymous, "DELETE", "/api/v1/jobs/{jobId}", unknown, null);
    exchange(404, desk, "GET", "/api/v1/jobs/{jobId}/events", unknown + "/events", null);
    exchange(401, anonymous, "GET", "/api/v1/jobs/{jobId}/events", unknown + "/events", null);
  }

  @Test
  void runningAndCancellingReadAsDocumented() throws Exception {
    Api api = as("desk-r", "submitter");
    String first = Api.json(exchange(202, api, "POST", "/api/v1/jobs", "/api/v1/jobs", SLOW))
        .get("id").asText();
    String second = Api.json(exchange(202, api, "POST", "/api/v1/jobs", "/api/v1/jobs", SLOW))
        .get("id").asText();
    // the tenant runs as many jobs as it may
    exchange(429, api, "POST", "/api/v1/jobs", "/api/v1/jobs", SLOW);
    exchange(200, api, "GET", "/api/v1/jobs/{jobId}", "/api/v1/jobs/" + first, null);
    exchange(200, api, "GET", "/api/v1/jobs", "/api/v1/jobs?state=RUNNING&limit=1", null);
    exchange(409, api, "DELETE", "/api/v1/jobs/{jobId}", "/api/v1/jobs/" + first, null);
    exchange(200, api, "POST", "/api/v1/jobs/{jobId}/cancel", "/api/v1/jobs/" + first
        + "/cancel", null);
    exchange(204, api, "DELETE", "/api/v1/jobs/{jobId}", "/api/v1/jobs/" + first, null);
    exchange(404, api, "GET", "/api/v1/jobs/{jobId}", "/api/v1/jobs/" + first, null);
    // the slots go back to the other tests
    assertEquals(200, api.post("/api/v1/jobs/" + second + "/cancel", "").statusCode());
  }

  @Test
  void schedulesReadAsDocumented() throws Exception {
    Api api = as("desk-s", "submitter");
    String body = "{\"name\": \"noon\", \"cron\": \"0 0 12 * * ?\", \"timeZone\": "
        + "\"Europe/London\", \"overlap\": \"allow\", \"catchUpWindow\": \"PT60S\", "
        + "\"graph\": {\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}}";
    String id = Api.json(exchange(201, api, "POST", "/api/v1/schedules", "/api/v1/schedules",
        body)).get("id").asText();
    String one = "/api/v1/schedules/" + id;
    exchange(400, api, "POST", "/api/v1/schedules", "/api/v1/schedules",
        body.replace("0 0 12 * * ?", "every noon"));
    exchange(200, api, "GET", "/api/v1/schedules", "/api/v1/schedules", null);
    exchange(200, api, "GET", "/api/v1/schedules/{scheduleId}", one, null);
    exchange(404, api, "GET", "/api/v1/schedules/{scheduleId}", "/api/v1/schedules/"
        + java.util.UUID.randomUUID(), null);
    exchange(200, api, "PATCH", "/api/v1/schedules/{scheduleId}", one, "{\"paused\": true}");
    exchange(200, api, "PATCH", "/api/v1/schedules/{scheduleId}", one, "{\"paused\": false}");
    exchange(202, api, "POST", "/api/v1/schedules/{scheduleId}/trigger", one + "/trigger", null);
    exchange(202, api, "POST", "/api/v1/schedules/{scheduleId}/backfill", one + "/backfill",
        "{\"from\": \"2025-06-02T00:00:00Z\", \"to\": \"2025-06-02T23:59:59Z\"}");
    exchange(400, api, "POST", "/api/v1/schedules/{scheduleId}/backfill", one + "/backfill",
        "{\"from\": \"yesterday\"}");
    exchange(200, api, "GET", "/api/v1/jobs", "/api/v1/jobs?schedule=" + id, null);
    exchange(204, api, "DELETE", "/api/v1/schedules/{scheduleId}", one, null);
  }

  /** A submission whose body never finishes holds the node's only place: the next is a 503. */
  @Test
  void aFullNodeIsADocumented503() throws Exception {
    try (Socket slow = new Socket("127.0.0.1", node.httpPort())) {
      OutputStream out = slow.getOutputStream();
      out.write(("POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
          + Tokens.token("user-slow", "desk-slow", "submitter") + "\r\n"
          + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"tasks\": [")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Api.await(() -> node.admission().inFlight(), Duration.ofSeconds(30), n -> n == 1);
      exchange(503, as("desk-busy", "submitter"), "POST", "/api/v1/jobs", "/api/v1/jobs",
          QUICK);
    }
    Api.await(() -> node.admission().inFlight(), Duration.ofSeconds(30), n -> n == 0);
  }

  @Test
  void clusterHealthAndMetricsReadAsDocumented() throws Exception {
    exchange(200, as("desk-a", "viewer"), "GET", "/api/v1/cluster", "/api/v1/cluster", null);
    exchange(401, anonymous, "GET", "/api/v1/cluster", "/api/v1/cluster", null);
    exchange(403, as("desk-a", "no-such-role"), "GET", "/api/v1/cluster", "/api/v1/cluster",
        null);
    String self = URLEncoder.encode(Cluster.get(node.system()).selfMember().address()
        .toString(), StandardCharsets.UTF_8);
    String members = "/api/v1/cluster/members/{member}/{action}";
    exchange(403, desk, "POST", members, "/api/v1/cluster/members/" + self + "/down", null);
    exchange(401, anonymous, "POST", members, "/api/v1/cluster/members/" + self + "/down",
        null);
    exchange(404, as("ops", "admin"), "POST", members,
        "/api/v1/cluster/members/127.0.0.1:1/leave", null);
    // the one exchange that changes membership is not made here: ClusterRoutesIT does it
    exercised.add("POST " + members + " 202");

    exchange(200, anonymous, "GET", "/health/alive", "/health/alive", null);
    Api.await(() -> anonymous.get("/health/ready").statusCode(), Duration.ofSeconds(30),
        s -> s == 200);
    exchange(200, anonymous, "GET", "/health/ready", "/health/ready", null);
    exchange(200, anonymous, "GET", "/metrics", "/metrics", null);
  }

  /** The events WebSocket: every message of a finished job matches {@code JobEventMessage}. */
  @Test
  void eventMessagesMatchTheirSchema() throws Exception {
    Api api = as("desk-e", "submitter");
    String id = api.submit("{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"},"
        + " {\"id\": \"b\", \"fn\": \"util.sum\", \"deps\": [\"a\"]}]}");
    EventsClient client = new EventsClient(true);
    WebSocket ws = api.client().newWebSocketBuilder()
        .header("Authorization", "Bearer " + Tokens.token("user-desk-e", "desk-e", "viewer"))
        .buildAsync(URI.create(api.base().replace("http", "ws") + "/api/v1/jobs/" + id
            + "/events"), client).get(10, TimeUnit.SECONDS);
    try {
      Api.await(() -> client.ofType("finished").size(), Duration.ofSeconds(60), n -> n == 1);
    } finally {
      ws.abort();
    }
    exercised.add("GET /api/v1/jobs/{jobId}/events 101");
    SchemaValidator schemas = new SchemaValidator(spec, new MessageResolver());
    List<String> types = new ArrayList<>();
    for (String text : client.texts) {
      ValidationReport report = schemas.validate(text,
          spec.getComponents().getSchemas().get("JobEventMessage"), "event");
      assertFalse(report.hasErrors(), text + "\n"
          + SimpleValidationReportFormat.getInstance().apply(report));
      types.add(Api.JSON.readTree(text).get("type").asText());
    }
    assertEquals("snapshot", types.get(0), types.toString());
    assertEquals("finished", types.get(types.size() - 1), types.toString());
  }

  /** The worker gateway's upgrade, with a worker token: welcomed after its hello. */
  @Test
  void theWorkerGatewayUpgrades() throws Exception {
    com.calcgrid.testing.FakeWorker w = com.calcgrid.testing.FakeWorker.serving(
        node.httpPort(), Tokens.token("farm", "desk-w", "worker"), "openapi", 1, "py.openapi");
    w.close();
    exercised.add("GET /api/v1/workers 101");
  }

  /** Runs after the others, and checks that together they exercised every operation. */
  @Test
  @Order(Integer.MAX_VALUE)
  void everyDocumentedOperationWasExercised() throws Exception {
    Set<String> operations = new TreeSet<>();
    for (Map.Entry<String, PathItem> path : spec.getPaths().entrySet()) {
      path.getValue().readOperationsMap().keySet().forEach(
          m -> operations.add(m.name().toUpperCase(Locale.ROOT) + " " + path.getKey()));
    }
    for (String operation : operations) {
      assertTrue(exercised.stream().anyMatch(e -> e.startsWith(operation + " ")),
          operation + " documented but never exercised; exercised: " + exercised);
    }
    for (String needed : List.of("POST /api/v1/jobs 202", "POST /api/v1/jobs 400",
        "POST /api/v1/jobs 413", "POST /api/v1/jobs 429", "GET /api/v1/jobs/{jobId} 404")) {
      assertTrue(exercised.contains(needed), needed + " not exercised: " + exercised);
    }
  }
}
