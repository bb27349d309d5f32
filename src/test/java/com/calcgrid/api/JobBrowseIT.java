package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the dashboard reads, over real HTTP: pages of a job's tasks by template and state, the
 * graph by template, the listing by name, the caller ({@code /api/v1/me}), the page's own files
 * and their security headers, and the tenancy of all of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobBrowseIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private CalcGridNode open;
  private CalcGridNode secured;
  private Api api;
  private String job;

  @BeforeAll
  void start() throws Exception {
    open = TestNodes.h2(Map.of());
    secured = TestNodes.h2(Tokens.hs256Node());
    api = new Api(open.httpPort());
    // a fails for good, so after is SKIPPED; px's 250 tasks succeed
    job = api.submit("""
        {"name": "browse-me", "tasks": [
          {"id": "a", "fn": "util.fail", "params": {"failTimes": 9}, "retry": {"maxAttempts": 1}},
          {"id": "px", "fn": "util.sum", "forEach": {"param": "value", "range": [0, 250]}},
          {"id": "after", "fn": "util.sum", "deps": ["a", "px[3]"]}]}""");
    api.awaitFinished(job, WAIT);
  }

  @AfterAll
  void stop() throws Exception {
    open.close();
    secured.close();
  }

  @Test
  void pagesTasksInGraphOrderByTemplateAndState() throws Exception {
    JsonNode all = tasks("limit=3");
    assertEquals(252, all.get("total").asInt(), all.toString());
    assertEquals(List.of("a", "px[0]", "px[1]"), ids(all));

    JsonNode failed = tasks("state=FAILED");
    assertEquals(1, failed.get("total").asInt(), failed.toString());
    JsonNode row = failed.get("tasks").get(0);
    assertEquals("a", row.get("id").asText());
    assertEquals("FAILED", row.get("state").asText());
    assertEquals(1, row.get("attempts").asInt());
    assertTrue(row.get("error").asText().contains("util.fail: attempt 1"), row.toString());
    assertFalse(row.has("result"), "rows carry no result: " + row);

    assertEquals(List.of("after"), ids(tasks("state=skipped")));

    JsonNode tail = tasks("template=px&offset=245&limit=10");
    assertEquals(250, tail.get("total").asInt());
    assertEquals(List.of("px[245]", "px[246]", "px[247]", "px[248]", "px[249]"), ids(tail));

    JsonNode middle = tasks("template=px&state=SUCCEEDED&offset=100&limit=3");
    assertEquals(250, middle.get("total").asInt(), middle.toString());
    assertEquals(List.of("px[100]", "px[101]", "px[102]"), ids(middle));

    JsonNode none = tasks("template=px&state=FAILED");
    assertEquals(0, none.get("total").asInt());
    assertEquals(0, none.get("tasks").size());
    assertEquals(0, tasks("template=nope").get("total").asInt());
    assertEquals(0, tasks("template=" + enc("px[3]")).get("total").asInt(),
        "a task id is not a template");
  }

  @Test
  void refusesBadParametersWithAProblem() throws Exception {
    for (String[] bad : new String[][] {{"state=DONE", "state"}, {"limit=201", "limit"},
        {"offset=-1", "offset"}, {"limit=x", "limit"}, {"template=", "template"}}) {
      HttpResponse<String> r = api.get("/api/v1/jobs/" + job + "/tasks?" + bad[0]);
      assertEquals(400, r.statusCode(), bad[0] + ": " + r.body());
      assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
      assertEquals(bad[1], Api.json(r).get("parameter").asText(), r.body());
    }
    assertEquals(404, api.get("/api/v1/jobs/no-such-job/tasks").statusCode());
    assertEquals(404, api.get("/api/v1/jobs/no-such-job/graph").statusCode());
  }

  @Test
  void drawsTheGraphByTemplateWithCountsAndEdges() throws Exception {
    JsonNode g = Api.json(api.get("/api/v1/jobs/" + job + "/graph"));
    assertEquals(3, g.get("templateCount").asInt(), g.toString());
    assertFalse(g.get("truncated").asBoolean());
    JsonNode px = g.get("templates").get(1);
    assertEquals("px", px.get("id").asText());
    assertEquals("util.sum", px.get("fn").asText());
    assertEquals(250, px.get("tasks").asInt());
    assertTrue(px.get("forEach").asBoolean());
    assertEquals(250, px.get("counts").get("SUCCEEDED").asInt(), px.toString());
    JsonNode after = g.get("templates").get(2);
    assertEquals(1, after.get("counts").get("SKIPPED").asInt(), after.toString());
    // one edge per template depended on, whether on all of its tasks or on one
    assertEquals(List.of("a", "px"), texts(after.get("deps")));
  }

  @Test
  void listsJobsByAPartOfTheirNameInAnyCase() throws Exception {
    String eod = api.submit("{\"name\": \"EOD-rates\", \"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}");
    String percent = api.submit("{\"name\": \"100%_done\", \"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}");
    assertEquals(List.of(eod), listed("name=eod-R"));
    // LIKE's wildcards are matched as themselves
    assertEquals(List.of(percent), listed("name=" + enc("%_")));
    assertTrue(listed("name=" + enc("_")).contains(percent));
    assertFalse(listed("name=" + enc("_")).contains(eod));
    HttpResponse<String> tooLong = api.get("/api/v1/jobs?name=" + "x".repeat(201));
    assertEquals(400, tooLong.statusCode(), tooLong.body());
  }

  @Test
  void anotherTenantsTasksAndGraphAreNotFound() throws Exception {
    Api anonymous = new Api(secured.httpPort());
    Api deskA = anonymous.as(Tokens.token("alice", "desk-a", "submitter"));
    Api deskB = anonymous.as(Tokens.token("bob", "desk-b", "viewer"));
    String jobOfA = deskA.submit("{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}");
    for (String path : List.of("/tasks", "/tasks?state=SUCCEEDED", "/graph")) {
      assertEquals(200, deskA.get("/api/v1/jobs/" + jobOfA + path).statusCode(), path);
      HttpResponse<String> foreign = deskB.get("/api/v1/jobs/" + jobOfA + path);
      HttpResponse<String> missing = deskB.get("/api/v1/jobs/no-such-job" + path);
      assertEquals(404, foreign.statusCode(), path);
      assertEquals(missing.body().replace("no-such-job", jobOfA), foreign.body(),
          "another desk's job reads exactly as one that does not exist");
      assertEquals(401, anonymous.get("/api/v1/jobs/" + jobOfA + path).statusCode(), path);
    }
  }

  @Test
  void meNamesTheCallerAndWhatItMayDo() throws Exception {
    JsonNode anonymous = Api.json(api.get("/api/v1/me"));
    assertEquals("default", anonymous.get("tenant").asText());
    assertFalse(anonymous.get("authentication").asBoolean());
    assertTrue(anonymous.get("maySubmit").asBoolean());

    Api node = new Api(secured.httpPort());
    assertEquals(401, node.get("/api/v1/me").statusCode());
    JsonNode viewer = Api.json(node.as(Tokens.token("carol", "desk-c", "viewer")).get("/api/v1/me"));
    assertEquals("carol", viewer.get("subject").asText());
    assertEquals("desk-c", viewer.get("tenant").asText());
    assertEquals(List.of("viewer"), texts(viewer.get("roles")));
    assertTrue(viewer.get("authentication").asBoolean());
    assertFalse(viewer.get("maySubmit").asBoolean());
  }

  @Test
  void servesThePageWithoutATokenAndWithHeadersThatForbidInlineScriptAndFraming()
      throws Exception {
    // the files hold no data: a node with authentication serves them to anyone
    Api node = new Api(secured.httpPort());
    HttpResponse<String> page = node.get("/");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(page.body().contains("<script type=\"module\" src=\"ui/js/main.js\">"));
    String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe"), csp);
    assertTrue(csp.contains("frame-ancestors 'none'"), csp);
    assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));

    HttpResponse<String> script = node.get("/ui/js/main.js");
    assertEquals(200, script.statusCode());
    assertTrue(script.headers().firstValue("Content-Type").orElse("").contains("javascript"),
        script.headers().toString());
    assertTrue(script.headers().firstValue("Content-Security-Policy").isPresent());

    for (String outside : List.of("/ui/../application.conf", "/ui/%2e%2e/application.conf",
        "/ui/..%2fapplication.conf", "/application.conf", "/ui/nope.js")) {
      HttpResponse<String> r = node.get(outside);
      assertEquals(404, r.statusCode(), outside + ": " + r.body());
      assertFalse(r.body().contains("calcgrid {"), outside);
    }
  }

  private JsonNode tasks(String query) throws Exception {
    HttpResponse<String> r = api.get("/api/v1/jobs/" + job + "/tasks?" + query);
    assertEquals(200, r.statusCode(), query + ": " + r.body());
    return Api.json(r);
  }

  private List<String> listed(String query) throws Exception {
    return texts(Api.json(api.get("/api/v1/jobs?" + query)).get("jobs"), "id");
  }

  private static List<String> ids(JsonNode page) {
    return texts(page.get("tasks"), "id");
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get(field).asText()));
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
