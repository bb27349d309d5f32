package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.OneNode;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A job's whole life over real HTTP against a real node on H2. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobLifecycleIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension
  static final OneNode NODE = OneNode.h2(Map.of());

  @Test
  void diamondWithFanOutComputesRightResultsAndRespectsDependencies() throws Exception {
    String id = NODE.api().submit("""
        {"name": "diamond", "tasks": [
          {"id": "a", "fn": "util.sum", "params": {"value": 1}},
          {"id": "b", "fn": "util.sleep", "params": {"ms": 80, "value": 2}, "deps": ["a"]},
          {"id": "c", "fn": "util.sleep", "params": {"ms": 30, "value": 3}, "deps": ["a"],
           "forEach": {"param": "i", "range": [0, 6]}},
          {"id": "d", "fn": "util.sum", "params": {"value": 0}, "deps": ["b", "c"]},
          {"id": "e", "fn": "util.sum", "params": {"value": 100}, "deps": ["c[2]"]}
        ]}""");
    JsonNode job = NODE.api().awaitFinished(id, WAIT);
    assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
    assertEquals(10, job.get("taskCount").asInt());
    assertEquals(10, job.get("counts").get("SUCCEEDED").asInt());
    assertNotNull(job.get("submittedAt").asText());
    assertNotNull(job.get("finishedAt").asText());

    JsonNode results = Api.json(NODE.api().get("/api/v1/jobs/" + id + "/results")).get("results");
    // b = 2 + a; c[i] = 3 + a; d = b + sum(c) = 3 + 6 * 4; e = 100 + c[2]
    assertEquals(27, results.get("d").asInt());
    assertEquals(104, results.get("e").asInt());
    assertEquals(2, results.size(), "outputs are the tasks nothing depends on: " + results);
    JsonNode all = Api.json(NODE.api().get("/api/v1/jobs/" + id + "/results?scope=all&limit=4&offset=2"));
    assertEquals(10, all.get("total").asInt());
    assertEquals(List.of("c[0]", "c[1]", "c[2]", "c[3]"), fieldNames(all.get("results")));

    Map<String, List<String>> deps = Map.of("b", List.of("a"), "d",
        List.of("b", "c[0]", "c[1]", "c[2]", "c[3]", "c[4]", "c[5]"), "e", List.of("c[2]"));
    Map<String, JsonNode> tasks = new HashMap<>();
    for (String t : List.of("a", "b", "c[0]", "c[1]", "c[2]", "c[3]", "c[4]", "c[5]", "d", "e")) {
      tasks.put(t, NODE.api().task(id, t));
      assertEquals("SUCCEEDED", tasks.get(t).get("state").asText(), t);
      assertEquals(1, tasks.get(t).get("attempts").asInt(), t);
      assertTrue(tasks.get(t).get("node").asText().startsWith("127.0.0.1:"), t);
    }
    for (int i = 0; i < 6; i++) {
      deps = new HashMap<>(deps);
      deps.put("c[" + i + "]", List.of("a"));
    }
    for (Map.Entry<String, List<String>> e : deps.entrySet()) {
      Instant started = Instant.parse(tasks.get(e.getKey()).get("startedAt").asText());
      for (String dep : e.getValue()) {
        Instant depFinished = Instant.parse(tasks.get(dep).get("finishedAt").asText());
        assertFalse(started.isBefore(depFinished),
            e.getKey() + " started at " + started + " before " + dep + " finished at " + depFinished);
      }
    }
  }

  @Test
  void failingTaskSucceedsOnItsThirdAttempt() throws Exception {
    String id = NODE.api().submit("""
        {"tasks": [{"id": "flaky", "fn": "util.fail", "params": {"failTimes": 2, "value": 5},
                    "retry": {"maxAttempts": 3, "backoffMs": 20}}]}""");
    JsonNode job = NODE.api().awaitFinished(id, WAIT);
    assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
    JsonNode task = NODE.api().task(id, "flaky");
    assertEquals(3, task.get("attempts").asInt());
    assertEquals(5, task.get("result").asInt());
    assertTrue(task.get("error").isNull(), "a success clears the error: " + task);
  }

  @Test
  void exhaustedRetriesFailTheTaskSkipItsDependentsAndFailTheJob() throws Exception {
    String id = NODE.api().submit("""
        {"tasks": [
          {"id": "flaky", "fn": "util.fail", "params": {"failTimes": 2},
           "retry": {"maxAttempts": 2, "backoffMs": 20}},
          {"id": "ok", "fn": "util.sum", "params": {"value": 1}},
          {"id": "after", "fn": "util.sum", "deps": ["flaky", "ok"]},
          {"id": "later", "fn": "util.sum", "deps": ["after"], "forEach": {"param": "i", "range": [0, 3]}}
        ]}""");
    JsonNode job = NODE.api().awaitFinished(id, WAIT);
    assertEquals("FAILED", job.get("state").asText(), job.toString());
    assertEquals(1, job.get("counts").get("FAILED").asInt());
    assertEquals(1, job.get("counts").get("SUCCEEDED").asInt());
    assertEquals(4, job.get("counts").get("SKIPPED").asInt());
    assertTrue(job.get("error").asText().startsWith("flaky: "), job.toString());
    JsonNode flaky = NODE.api().task(id, "flaky");
    assertEquals("FAILED", flaky.get("state").asText());
    assertEquals(2, flaky.get("attempts").asInt());
    assertTrue(flaky.get("error").asText().contains("attempt 2"), flaky.toString());
    assertEquals("SKIPPED", NODE.api().task(id, "after").get("state").asText());
    assertEquals("SKIPPED", NODE.api().task(id, "later[2]").get("state").asText());
    assertEquals(0, NODE.api().task(id, "later[2]").get("attempts").asInt());
  }

  @Test
  void hangingTaskIsInterruptedAtItsTimeoutAndRetried() throws Exception {
    String id = NODE.api().submit("""
        {"tasks": [{"id": "hang", "fn": "util.sleep", "params": {"ms": 600000, "attempts": 1, "value": 7},
                    "timeoutMs": 300, "retry": {"maxAttempts": 2, "backoffMs": 10}}]}""");
    JsonNode job = NODE.api().awaitFinished(id, WAIT);
    assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
    JsonNode task = NODE.api().task(id, "hang");
    assertEquals(2, task.get("attempts").asInt());
    assertEquals(7, task.get("result").asInt());

    String never = NODE.api().submit("""
        {"tasks": [{"id": "hang", "fn": "util.sleep", "params": {"ms": 600000},
                    "timeoutMs": 200, "retry": {"maxAttempts": 1}}]}""");
    assertEquals("FAILED", NODE.api().awaitFinished(never, WAIT).get("state").asText());
    assertTrue(NODE.api().task(never, "hang").get("error").asText().contains("timed out after 200 ms"));
  }

  @Test
  void badGraphsAreRejectedWithProblemsAndNothingIsStored() throws Exception {
    int before = Api.json(NODE.api().get("/api/v1/jobs?limit=1000")).get("jobs").size();
    Map<String, String> cases = Map.of(
        "{\"tasks\": [", "$",
        "{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}, {\"id\": \"a\", \"fn\": \"util.sum\"}]}", "a",
        "{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\", \"deps\": [\"nope\"]}]}", "nope",
        "{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\", \"deps\": [\"b\"]}, {\"id\": \"b\", \"fn\": \"util.sum\", \"deps\": [\"a\"]}]}", "cycle",
        "{\"tasks\": [{\"id\": \"a\", \"fn\": \"bs.pricee\"}]}", "bs.pricee",
        "{\"tasks\": [{\"id\": \"a\", \"fn\": \"bs.price\", \"params\": {\"type\": \"call\", \"spot\": 42, \"strike\": 40, \"rate\": 0.1, \"vol\": -0.2, \"expiry\": 0.5}}]}", "vol");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = NODE.api().post("/api/v1/jobs", c.getKey());
      assertEquals(400, r.statusCode(), c.getKey() + " -> " + r.body());
      assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
      JsonNode problem = Api.json(r);
      assertEquals(400, problem.get("status").asInt());
      assertTrue(problem.get("detail").asText().contains(c.getValue()),
          "detail should name '" + c.getValue() + "': " + problem);
      assertTrue(problem.get("errors").size() >= 1);
      assertNotNull(problem.get("errors").get(0).get("where"));
    }
    assertEquals(before, Api.json(NODE.api().get("/api/v1/jobs?limit=1000")).get("jobs").size());
  }

  @Test
  void cancelStopsAJobAndInterruptsItsTasks() throws Exception {
    String id = NODE.api().submit("""
        {"tasks": [{"id": "slow", "fn": "util.sleep", "params": {"ms": 600000},
                    "forEach": {"param": "i", "range": [0, 5]}}]}""");
    NODE.api().awaitJob(id, WAIT, j -> j.path("counts").path("RUNNING").asInt() > 0);
    HttpResponse<String> r = NODE.api().post("/api/v1/jobs/" + id + "/cancel", "");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("CANCELLED", Api.json(r).get("state").asText());
    JsonNode job = NODE.api().job(id);
    assertEquals(5, job.get("counts").get("CANCELLED").asInt());
    assertEquals(409, NODE.api().post("/api/v1/jobs/" + id + "/cancel", "").statusCode());
    // the slots were given back: a new job runs
    String next = NODE.api().submit("{\"tasks\": [{\"id\": \"x\", \"fn\": \"util.sum\"}]}");
    assertEquals("SUCCEEDED", NODE.api().awaitFinished(next, WAIT).get("state").asText());
  }

  @Test
  void jobsAreListedFilteredAndPaged() throws Exception {
    String id = NODE.api().submit("{\"name\": \"listed\", \"tasks\": [{\"id\": \"x\", \"fn\": \"util.sum\"}]}");
    NODE.api().awaitFinished(id, WAIT);
    // the listing is a directory updated after the job's own journal: poll it, bounded
    JsonNode page = Api.await(() -> Api.json(NODE.api().get("/api/v1/jobs?state=SUCCEEDED&limit=1000")),
        WAIT, p -> p.get("jobs").toString().contains(id));
    boolean found = false;
    for (JsonNode j : page.get("jobs")) {
      assertEquals("SUCCEEDED", j.get("state").asText());
      found |= j.get("id").asText().equals(id) && j.get("name").asText().equals("listed");
    }
    assertTrue(found, "listing should show " + id + ": " + page);
    assertEquals(1, Api.json(NODE.api().get("/api/v1/jobs?limit=1")).get("jobs").size());
    HttpResponse<String> bad = NODE.api().get("/api/v1/jobs?state=DONE");
    assertEquals(400, bad.statusCode());
    assertTrue(Api.json(bad).get("detail").asText().contains("state"));
    assertEquals(400, NODE.api().get("/api/v1/jobs?limit=0").statusCode());
  }

  @Test
  void unknownJobsAndTasksAnswer404AsProblems() throws Exception {
    HttpResponse<String> r = NODE.api().get("/api/v1/jobs/does-not-exist");
    assertEquals(404, r.statusCode());
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
    String id = NODE.api().submit("{\"tasks\": [{\"id\": \"x\", \"fn\": \"util.sum\"}]}");
    assertEquals(404, NODE.api().get("/api/v1/jobs/" + id + "/tasks/y").statusCode());
    assertEquals(404, NODE.api().get("/api/v1/nothing-here").statusCode());
    assertEquals(405, NODE.api().post("/health/ready", "").statusCode());
  }

  @Test
  void readinessReportsClusterAndDatabase() throws Exception {
    HttpResponse<String> ready = Api.await(() -> NODE.api().get("/health/ready"), WAIT,
        r -> r.statusCode() == 200);
    assertEquals("UP", Api.json(ready).get("status").asText(), ready.body());
    assertEquals("UP", Api.json(ready).get("database").asText());
    assertEquals(200, NODE.api().get("/health/alive").statusCode());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
