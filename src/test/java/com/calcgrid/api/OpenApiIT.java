package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * docs/openapi.yaml stays true to the server: every documented operation is served by a real
 * node, and answers with one of the status codes documented for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiIT {
  private static final List<String> METHODS = List.of("get", "post", "put", "patch", "delete");
  private CalcGridNode node;
  private Api api;
  private JsonNode spec;
  private String jobId;
  private String scheduleId;

  @BeforeAll
  void start() throws Exception {
    node = TestNodes.h2(Map.of());
    api = new Api(node.httpPort());
    spec = new ObjectMapper(new YAMLFactory()).readTree(
        TestNodes.projectFile("docs/openapi.yaml").toFile());
    jobId = api.submit("{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\", \"params\": {\"value\": 1}}]}");
    api.awaitFinished(jobId, Duration.ofSeconds(60));
    scheduleId = Api.json(api.post("/api/v1/schedules", "{\"cron\": \"0 0 12 * * ?\", "
        + "\"graph\": {\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}}")).get("id")
        .asText();
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  @Test
  void everyDocumentedOperationIsServedWithADocumentedStatus() throws Exception {
    List<String> checked = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (String method : METHODS) {
        JsonNode op = path.getValue().get(method);
        if (op == null || path.getKey().endsWith("/events")) {
          continue; // the WebSocket upgrade is exercised by JobEventsIT
        }
        String url = path.getKey().replace("{jobId}", jobId).replace("{taskId}", "a")
            .replace("{scheduleId}", scheduleId);
        HttpResponse<String> r = send(method, url, op);
        List<String> documented = new ArrayList<>();
        op.get("responses").fieldNames().forEachRemaining(documented::add);
        assertTrue(documented.contains(Integer.toString(r.statusCode())),
            method.toUpperCase() + " " + url + " answered " + r.statusCode() + ", documented: "
                + documented + "\n" + r.body());
        if (r.statusCode() >= 400) {
          assertEquals("application/problem+json",
              r.headers().firstValue("Content-Type").orElse(""), url);
        }
        checked.add(method + " " + path.getKey());
      }
    }
    assertFalse(checked.isEmpty());
  }

  @Test
  void theSubmissionExampleIsAcceptedAsDocumented() throws Exception {
    JsonNode post = spec.at("/paths/~1api~1v1~1jobs/post");
    HttpResponse<String> r = api.post("/api/v1/jobs",
        post.at("/requestBody/content/application~1json/example").toString());
    assertEquals(202, r.statusCode(), r.body());
    JsonNode accepted = Api.json(r);
    spec.at("/components/schemas/JobAccepted/properties").fieldNames().forEachRemaining(
        f -> assertTrue(accepted.has(f), "documented field " + f + " missing in " + accepted));
    JsonNode job = api.awaitFinished(accepted.get("id").asText(), Duration.ofSeconds(60));
    spec.at("/components/schemas/Job/properties").fieldNames().forEachRemaining(
        f -> assertTrue(job.has(f), "documented field " + f + " missing in " + job));
  }

  private HttpResponse<String> send(String method, String url, JsonNode op) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base() + url))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
    JsonNode example = op.at("/requestBody/content/application~1json/example");
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofString(
        example.isMissingNode() ? "" : example.toString());
    return api.client().send(b.method(method.toUpperCase(), body).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
