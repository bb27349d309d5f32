package com.calcgrid.calc.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code process.run} on a real node with an allowlist, over real HTTP, with real processes. The
 * node runs in a JVM of its own so that it can have secrets in its environment, as a production
 * node does, and a temporary folder of its own to watch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessRunIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String SECRET = "db-password-" + UUID.randomUUID();
  private Path tmp;
  private NodeProcess node;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    Path dir = TestNodes.freshDataDir();
    tmp = Files.createDirectory(dir.resolve("tmp"));
    node = NodeProcess.start(dir.resolve("data"), Map.of(
        "CALCGRID_PROCESS_ALLOW", "/bin/echo,/bin/sh,/usr/bin/env",
        "CALCGRID_DB_PASSWORD", SECRET,
        // the JVM reads it, and no child may: it would run code in any allowlisted java
        "JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp)).awaitReady(WAIT);
    api = node.api();
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
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
  void theProcessSeesNothingOfTheNodesEnvironment() throws Exception {
    JsonNode t = run("{\"executable\": \"/usr/bin/env\", \"env\": {\"CALCGRID_TASK_DESK\":"
        + " \"rates\", \"TZ\": \"Europe/London\"}}", "");
    assertEquals("SUCCEEDED", t.get("state").asText(), t.toString());
    String env = t.get("result").asText();
    assertFalse(env.contains(SECRET), "the node's database password leaked: " + env);
    assertEquals(Set.of("PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "TZ=Europe/London",
        "CALCGRID_TASK_DESK=rates", "CALCGRID_TASK_ID=p", "CALCGRID_ATTEMPT=1"),
        new TreeSet<>(Arrays.asList(env.split("\n"))), env);
  }

  @Test
  void variablesThatRunCodeAreRefusedAtSubmission() throws Exception {
    for (String name : new String[] {"BASH_ENV", "ENV", "PATH", "JAVA_TOOL_OPTIONS",
        "NODE_OPTIONS", "PYTHONPATH", "PERL5OPT", "LD_PRELOAD", "CALCGRID_TASK_ID"}) {
      HttpResponse<String> r = api.post("/api/v1/jobs", "{\"tasks\": [{\"id\": \"p\","
          + " \"fn\": \"process.run\", \"params\": {\"executable\": \"/bin/sh\","
          + " \"args\": [\"-c\", \"true\"], \"env\": {\"" + name + "\": \"/tmp/evil\"}}}]}");
      assertEquals(400, r.statusCode(), name + ": " + r.body());
      JsonNode error = Api.json(r).get("errors").get(0);
      assertEquals("tasks[0].params", error.get("where").asText());
      assertTrue(error.get("message").asText().startsWith("param 'env': " + name
          + " may not be set; a task may set LANG, LC_ALL, TZ and CALCGRID_TASK_*"),
          error.toString());
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
  void manyMegabytesOnStderrAreDrainedNotKept() throws Exception {
    // 40 MB of stderr, then the child waits where the test can look at the node's temp folder
    Path marker = Files.createTempDirectory("calcgrid-process-it").resolve("written");
    String id = api.submit("{\"tasks\": [{\"id\": \"p\", \"fn\": \"process.run\", \"timeoutMs\":"
        + " 120000, \"retry\": {\"maxAttempts\": 1}, \"params\": {\"executable\": \"/bin/sh\","
        + " \"args\": [\"-c\", \"head -c 40000000 /dev/zero | tr '\\\\000' x >&2;"
        + " echo the last words >&2; touch " + marker + "; sleep 2; echo done; exit 4\"]}}]}");
    Api.await(() -> Files.exists(marker), WAIT, written -> written);
    long held = folderBytes(tmp);
    assertTrue(held < 1_000_000, "the node holds " + held + " bytes of output in " + tmp);
    api.awaitFinished(id, WAIT);
    JsonNode t = api.task(id, "p");
    assertEquals("FAILED", t.get("state").asText(), t.toString());
    String error = t.get("error").asText();
    assertTrue(error.startsWith("/bin/sh exited with code 4: ...xxx") && error.endsWith(
        "xxxthe last words"), error.substring(Math.max(0, error.length() - 200)));
    assertTrue(error.length() < ProcessRun.STDERR_TAIL + 100, "error of " + error.length());
    assertEquals(200, api.get("/health/ready").statusCode());
  }

  @Test
  void stderrDoesNotFailATaskThatSucceeds() throws Exception {
    JsonNode t = run("{\"executable\": \"/bin/sh\", \"args\": [\"-c\", \"head -c 20000000"
        + " /dev/zero >&2; echo fine\"]}", "");
    assertEquals("SUCCEEDED", t.get("state").asText(), t.toString());
    assertEquals("fine\n", t.get("result").asText());
  }

  @Test
  void tooMuchStdoutFailsTheTask() throws Exception {
    JsonNode t = run("{\"executable\": \"/bin/sh\", \"args\": [\"-c\", \"head -c 50000000"
        + " /dev/zero; sleep 60\"]}", "");
    assertEquals("FAILED", t.get("state").asText(), t.toString());
    assertTrue(t.get("error").asText().contains("wrote more than " + ProcessRun.MAX_STDOUT
        + " bytes to standard output"), t.toString());
    assertEquals(200, api.get("/health/ready").statusCode());
  }

  @Test
  void aBackgroundChildHoldingStdoutDoesNotHangTheTask() throws Exception {
    JsonNode t = run("{\"executable\": \"/bin/sh\", \"args\": [\"-c\", \"sleep 30 & echo hi\"]}",
        "");
    assertEquals("SUCCEEDED", t.get("state").asText(), t.toString());
    assertEquals("hi\n", t.get("result").asText());
    JsonNode redirected = run("{\"executable\": \"/bin/sh\", \"args\": [\"-c\","
        + " \"sleep 30 >/dev/null 2>&1 & echo hi\"]}", "");
    assertEquals("SUCCEEDED", redirected.get("state").asText(), redirected.toString());
    assertEquals("hi\n", redirected.get("result").asText());
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

  private static long folderBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          return 0; // deleted while we looked
        }
      }).sum();
    }
  }
}
