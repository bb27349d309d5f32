package com.calcgrid.calc.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code process.run} on a real node with an allowlist, over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessRunIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private CalcGridNode node;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    node = TestNodes.h2(Map.of("calcgrid.process.allow", "/bin/echo,/bin/sh"));
    api = new Api(node.httpPort());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  /** Runs one process.run task; returns the finished task. */
  private JsonNode run(String params, String extra) throws Exception {
    String id = api.submit("{\"tasks\": [{\"id\": \"p\", \"fn\": \"process.run\", \"params\": "
        + params + extra + ", \"retry\": {\"maxAttempts\": 1}}]}");
    api.awaitFinished(id, WAIT);
    return api.task(id, "p");
  }

  private static ObjectNode json(String s) throws Exception {
    return (ObjectNode) Api.JSON.readTree(s);
  }

  @Test
  void stdoutIsTheResult() throws Exception {
    JsonNode t = run("{\"executable\": \"/bin/echo\", \"args\": [\"hello\", \"grid\"]}", "");
    assertEquals("SUCCEEDED", t.get("state").asText(), t.toString());
    assertEquals("hello grid\n", t.get("result").asText());
  }

  @Test
  void stdoutJsonIsParsedAndTheTaskArrivesOnStdin() throws Exception {
    ObjectNode params = json("{\"executable\": \"/bin/sh\", \"args\": [\"-c\", \"cat\"],"
        + " \"stdoutJson\": true, \"spot\": 42}");
    JsonNode t = run(params.toString(), "");
    assertEquals("SUCCEEDED", t.get("state").asText(), t.toString());
    assertEquals("p", t.get("result").get("taskId").asText());
    assertEquals(42, t.get("result").get("params").get("spot").asInt());
    assertEquals(1, t.get("result").get("attempt").asInt());
  }

  @Test
  void theProcessGetsOnlyTheEnvironmentItIsGiven() throws Exception {
    JsonNode t = run("{\"executable\": \"/bin/sh\", \"args\": [\"-c\", \"env\"],"
        + " \"env\": {\"DESK\": \"rates\"}}", "");
    String env = "\n" + t.get("result").asText();
    assertTrue(env.contains("\nDESK=rates\n") && env.contains("\nCALCGRID_TASK_ID=p\n"), env);
    Set<String> given = Set.of("PATH", "LANG", "PWD", "SHLVL", "_", "OLDPWD");
    for (String name : System.getenv().keySet()) {
      if (!given.contains(name)) {
        assertFalse(env.contains("\n" + name + "="), "the node's " + name + " leaked: " + env);
      }
    }
  }

  @Test
  void aNonZeroExitFailsTheTaskWithTheEndOfStderr() throws Exception {
    JsonNode t = run("{\"executable\": \"/bin/sh\", \"args\": [\"-c\","
        + " \"echo starting; echo no market data for EUR >&2; exit 3\"]}", "");
    assertEquals("FAILED", t.get("state").asText(), t.toString());
    String error = t.get("error").asText();
    assertTrue(error.contains("exited with code 3") && error.contains("no market data for EUR"),
        error);
  }

  @Test
  void aTimeoutKillsTheProcessAndItsChildren() throws Exception {
    Path dir = Files.createTempDirectory("calcgrid-process-it");
    Path child = dir.resolve("child");
    JsonNode t = run("{\"executable\": \"/bin/sh\", \"args\": [\"-c\", \"sleep 300 & echo $! > "
        + child + ".tmp; mv " + child + ".tmp " + child + "; wait\"]}", ", \"timeoutMs\": 2000");
    assertEquals("FAILED", t.get("state").asText(), t.toString());
    assertTrue(t.get("error").asText().contains("timed out"), t.toString());
    long pid = Long.parseLong(Files.readString(child).strip());
    Api.await(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive), WAIT,
        alive -> alive.isEmpty() || !alive.get());
  }

  @Test
  void executablesOffTheAllowlistAreRefusedAtSubmission() throws Exception {
    HttpResponse<String> r = api.post("/api/v1/jobs", "{\"tasks\": [{\"id\": \"p\","
        + " \"fn\": \"process.run\", \"params\": {\"executable\": \"/bin/rm\","
        + " \"args\": [\"-rf\", \"/\"]}}]}");
    assertEquals(400, r.statusCode(), r.body());
    JsonNode error = Api.json(r).get("errors").get(0);
    assertEquals("tasks[0].params", error.get("where").asText());
    assertTrue(error.get("message").asText().contains("'/bin/rm' is not on this node's allowlist"),
        error.toString());
  }
}
