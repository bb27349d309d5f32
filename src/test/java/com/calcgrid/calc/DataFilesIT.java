package com.calcgrid.calc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.EventsClient;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A submitter cannot make a node read its own secrets: a node in a JVM of its own, with a
 * secret in its environment and one data root, asked over HTTP for /proc/self/environ directly,
 * through a symlink inside the root, and for /dev/zero.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataFilesIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String SECRET = "s3cret-" + UUID.randomUUID();
  private static final String PORTFOLIO = """
      id,book,underlying,type,strike,expiry,quantity
      T1,EQ-1,AAA,call,100,0.5,10
      T2,EQ-2,BBB,put,50,1,-20
      """;
  private Path root;
  private NodeProcess node;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    Path dir = TestNodes.freshDataDir();
    root = Files.createDirectory(dir.resolve("portfolios"));
    Files.writeString(root.resolve("eod.csv"), PORTFOLIO);
    Files.createSymbolicLink(root.resolve("env.csv"), Path.of("/proc/self/environ"));
    Files.createSymbolicLink(root.resolve("zero.csv"), Path.of("/dev/zero"));
    node = NodeProcess.start(dir.resolve("data"), Map.of("CALCGRID_DATA_ROOTS", root.toString(),
        "CALCGRID_DB_PASSWORD", SECRET)).awaitReady(WAIT);
    api = node.api();
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aPathOutsideTheRootsIsRefusedAtSubmission() throws Exception {
    for (String path : new String[] {"/proc/self/environ", "/etc/passwd",
        root + "/../../../../proc/self/environ"}) {
      HttpResponse<String> r = api.post("/api/v1/jobs", graph("risk.portfolio", path));
      assertEquals(400, r.statusCode(), r.body());
      assertEquals("application/problem+json",
          r.headers().firstValue("Content-Type").orElse(""));
      assertClean(r.body());
      String message = Api.json(r).get("errors").get(0).get("message").asText();
      assertTrue(message.startsWith("param 'portfolio.file': '" + path + "'"), message);
    }
  }

  @Test
  void aSymlinkToTheEnvironmentFailsTheTaskWithoutShowingIt() throws Exception {
    // the gate leaves time for the WebSocket to connect before the tasks fail
    String env = root.resolve("env.csv").toString();
    String id = api.submit("""
        {"tasks": [
          {"id": "gate", "fn": "util.sleep", "params": {"ms": 1500}},
          {"id": "p", "fn": "risk.portfolio", "deps": ["gate"], "retry": {"maxAttempts": 1},
           "params": {"portfolio": {"file": "%s"}}},
          {"id": "r", "fn": "risk.revalue", "deps": ["gate"], "retry": {"maxAttempts": 1},
           "params": {"portfolio": {"file": "env.csv"}, "scenarios": [{"spot": 0.01}],
             "market": {"rate": 0, "underlyings": {"AAA": {"spot": 100, "vol": 0.2}}}}},
          {"id": "z", "fn": "risk.portfolio", "deps": ["gate"], "retry": {"maxAttempts": 1},
           "params": {"portfolio": {"file": "zero.csv"}}}]}""".formatted(env));
    EventsClient events = new EventsClient(true);
    events.connect(api, id);
    JsonNode job = api.awaitFinished(id, WAIT);
    assertEquals("FAILED", job.get("state").asText(), job.toString());
    for (String task : new String[] {"p", "r", "z"}) {
      JsonNode t = api.task(id, task);
      assertEquals("FAILED", t.get("state").asText(), t.toString());
      String name = switch (task) {
        case "p" -> env;
        case "r" -> "env.csv";
        default -> "zero.csv";
      };
      assertEquals("param 'portfolio.file': '" + name + "' leads outside the data roots of this "
          + "node (calcgrid.data-roots (CALCGRID_DATA_ROOTS))", t.get("error").asText());
      assertClean(t.toString());
    }
    assertClean(job.toString());
    assertClean(api.get("/api/v1/jobs/" + id + "/results?scope=all").body());
    assertClean(api.get("/api/v1/jobs/" + id + "/tasks").body());
    events.closed.get(60, TimeUnit.SECONDS);
    assertTrue(events.texts.stream().anyMatch(x -> x.contains("leads outside")), "the failures "
        + "were streamed: " + events.texts);
    events.texts.forEach(DataFilesIT::assertClean);
    assertTrue(node.isAlive());
    assertEquals(200, api.get("/health/ready").statusCode());
  }

  @Test
  void aFileInsideTheRootIsRead() throws Exception {
    String id = api.submit(graph("risk.portfolio", "eod.csv"));
    JsonNode job = api.awaitFinished(id, WAIT);
    assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
    JsonNode result = api.task(id, "p").get("result");
    assertEquals(2, result.get("trades").asInt(), result.toString());
    assertEquals(1, result.get("books").get("EQ-2").asInt(), result.toString());
    String byAbsolutePath = api.submit(graph("risk.portfolio", root.resolve("eod.csv").toString()));
    assertEquals("SUCCEEDED", api.awaitFinished(byAbsolutePath, WAIT).get("state").asText());
  }

  @Test
  void aNodeRefusesToStartWithTheWholeDiskAsARoot() throws Exception {
    NodeProcess refused = NodeProcess.start(TestNodes.freshDataDir(),
        Map.of("CALCGRID_DATA_ROOTS", "/srv/portfolios,/"));
    try {
      assertEquals(2, refused.awaitExit(WAIT));
      assertTrue(refused.logTail().contains("calcgrid node: calcgrid.data-roots "
          + "(CALCGRID_DATA_ROOTS): '/' may not be a root"), refused.logTail());
    } finally {
      refused.close();
    }
  }

  private static String graph(String fn, String file) {
    return "{\"tasks\": [{\"id\": \"p\", \"fn\": \"" + fn + "\", \"retry\": {\"maxAttempts\": 1},"
        + " \"params\": {\"portfolio\": {\"file\": " + Api.JSON.valueToTree(file) + "}}}]}";
  }

  /** Nothing of the node's environment: neither the secret nor any variable. */
  private static void assertClean(String text) {
    assertFalse(text.contains(SECRET), "the node's secret leaked: " + text);
    assertFalse(text.contains("PATH="), "the node's environment leaked: " + text);
    assertFalse(text.contains("CALCGRID_DB_PASSWORD"), text);
  }
}
