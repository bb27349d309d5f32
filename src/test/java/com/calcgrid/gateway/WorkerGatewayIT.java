package com.calcgrid.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.FakeWorker;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * External workers over a real WebSocket to a real node: each test's worker is written by hand
 * in JSON (FakeWorker), so it can also break the protocol on purpose.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerGatewayIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private CalcGridNode node;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    node = TestNodes.h2(Map.of(
        "calcgrid.external-functions", "py.*",
        "calcgrid.gateway.heartbeat-interval", "500ms",
        "calcgrid.gateway.heartbeat-timeout", "3s",
        "calcgrid.gateway.max-message-bytes", "4 MiB",
        "calcgrid.limits.max-result-bytes", "1 MiB",
        "calcgrid.gateway.max-refused", 3));
    api = new Api(node.httpPort());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  private static String graph(String fn, int tasks) {
    return """
        {"tasks": [
          {"id": "a", "fn": "%s", "params": {"x": 1}, "forEach": {"param": "i", "range": [0, %d]}},
          {"id": "total", "fn": "util.sum", "deps": ["a"]}]}""".formatted(fn, tasks);
  }

  /** Answers hand-outs with params.i + params.x until {@code tasks} were answered. */
  private static void serve(FakeWorker w, int tasks) throws Exception {
    int answered = 0;
    while (answered < tasks) {
      JsonNode batch = w.await("tasks", WAIT);
      List<ObjectNode> outcomes = new ArrayList<>();
      for (JsonNode t : batch.get("tasks")) {
        JsonNode p = t.get("params");
        outcomes.add(FakeWorker.success(t, IntNode.valueOf(p.get("i").asInt() + p.get("x").asInt())));
      }
      w.report(outcomes);
      answered += outcomes.size();
    }
  }

  @Test
  void anExternalWorkerServesItsFunctionAndTheJobSucceeds() throws Exception {
    FakeWorker w = FakeWorker.serving(node.httpPort(), null, "fake-1", 4, "py.add");
    try {
      String id = api.submit(graph("py.add", 10));
      serve(w, 10);
      JsonNode job = api.awaitFinished(id, WAIT);
      assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
      assertEquals(55, api.task(id, "total").get("result").asInt());
      assertTrue(api.task(id, "a[3]").get("node").asText().endsWith("/fake-1"),
          api.task(id, "a[3]").toString());
    } finally {
      w.close();
    }
  }

  @Test
  void tasksOfAFunctionNoWorkerServesWaitReadyAndTheViewsSaySo() throws Exception {
    String id = api.submit(graph("py.nobody", 3));
    JsonNode job = api.awaitJob(id, WAIT, j -> !j.path("waiting").isNull());
    assertEquals("no worker serves py.nobody", job.get("waiting").asText(), job.toString());
    assertEquals(3, job.get("counts").get("READY").asInt(), job.toString());
    JsonNode task = api.task(id, "a[1]");
    assertEquals("READY", task.get("state").asText(), task.toString());
    assertEquals("no worker serves py.nobody", task.get("waiting").asText(), task.toString());
    JsonNode total = api.task(id, "total");
    assertTrue(total.get("waiting").isNull(), "a WAITING task waits for its deps: " + total);
    FakeWorker w = FakeWorker.serving(node.httpPort(), null, "late", 3, "py.nobody");
    try {
      serve(w, 3);
      JsonNode done = api.awaitFinished(id, WAIT);
      assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());
      assertTrue(done.get("waiting").isNull(), done.toString());
      assertTrue(api.task(id, "a[1]").get("waiting").isNull());
    } finally {
      w.close();
    }
  }

  @Test
  void aConnectionDroppedMidTaskIsALostWorkerAndItsTasksRunElsewhere() throws Exception {
    FakeWorker first = FakeWorker.serving(node.httpPort(), null, "doomed", 2, "py.drop");
    String id = api.submit(graph("py.drop", 2));
    JsonNode handed = first.await("tasks", WAIT);
    assertEquals(2, handed.get("tasks").size(), handed.toString());
    FakeWorker second = FakeWorker.serving(node.httpPort(), null, "survivor", 2, "py.drop");
    try {
      first.abort();
      serve(second, 2);
      JsonNode job = api.awaitFinished(id, WAIT);
      assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
      JsonNode task = api.task(id, "a[0]");
      assertEquals(1, task.get("lostWorkers").asInt(), task.toString());
      assertTrue(task.get("node").asText().endsWith("/survivor"), task.toString());
    } finally {
      second.close();
    }
  }

  @Test
  void aReportForATaskHandedToAnotherConnectionIsRefusedAndCounted() throws Exception {
    FakeWorker owner = FakeWorker.serving(node.httpPort(), null, "owner", 1, "py.own");
    FakeWorker thief = FakeWorker.serving(node.httpPort(), null, "thief", 1, "py.unused");
    try {
      String id = api.submit(graph("py.own", 1));
      JsonNode task = owner.await("tasks", WAIT).get("tasks").get(0);
      thief.report(List.of(FakeWorker.success(task, IntNode.valueOf(666))));
      JsonNode refused = thief.await("refused", WAIT);
      assertEquals(task.get("dispatchId").asText(), refused.get("dispatchId").asText());
      assertEquals("RUNNING", api.task(id, "a[0]").get("state").asText(),
          "the refused report changed nothing");
      owner.report(List.of(FakeWorker.success(task, IntNode.valueOf(7))));
      assertEquals("SUCCEEDED", api.awaitFinished(id, WAIT).get("state").asText());
      assertEquals(7, api.task(id, "a[0]").get("result").asInt());
      String metrics = api.get("/metrics").body();
      assertTrue(metrics.contains("calcgrid_gateway_reports_refused_total{reason=\"unknown\"}"),
          metrics);
      // past calcgrid.gateway.max-refused the connection is closed
      for (int k = 0; k < 3; k++) {
        thief.report(List.of(FakeWorker.success(task, IntNode.valueOf(666))));
      }
      assertTrue(thief.await("error", WAIT).get("reason").asText().contains("refused"));
      thief.closed.get(30, TimeUnit.SECONDS);
    } finally {
      owner.close();
    }
  }

  @Test
  void aSilentWorkerIsDroppedWithinTheHeartbeatTimeoutAndItsTaskRunsElsewhere()
      throws Exception {
    FakeWorker silent = FakeWorker.serving(node.httpPort(), null, "silent", 1, "py.hb");
    String id = api.submit(graph("py.hb", 1));
    silent.await("tasks", WAIT);
    silent.answerPings = false;
    long quietSince = System.nanoTime();
    JsonNode error = silent.await("error", WAIT);
    long detectedMillis = (System.nanoTime() - quietSince) / 1_000_000;
    assertTrue(error.get("reason").asText().contains("nothing heard"), error.toString());
    assertTrue(detectedMillis < 15_000, "detected after " + detectedMillis + " ms");
    silent.closed.get(30, TimeUnit.SECONDS);
    FakeWorker live = FakeWorker.serving(node.httpPort(), null, "live", 1, "py.hb");
    try {
      serve(live, 1);
      assertEquals("SUCCEEDED", api.awaitFinished(id, WAIT).get("state").asText());
      assertEquals(1, api.task(id, "a[0]").get("lostWorkers").asInt());
    } finally {
      live.close();
    }
  }

  @Test
  void hostileMessagesCloseTheConnectionWithAReason() throws Exception {
    assertClosedWith(w -> w.sendText("{\"type\": \"hello\", \"slots\": "), "not JSON");
    assertClosedWith(w -> w.sendText("""
        {"type": "hello", "slots": 2, "functions": [{"name": "util.sum"}]}"""),
        "calcgrid.external-functions");
    assertClosedWith(w -> w.sendText("""
        {"type": "hello", "slots": 100000, "functions": [{"name": "py.x"}]}"""),
        "slots must be 1 to");
    assertClosedWith(w -> w.sendText("{\"type\": \"outcomes\", \"outcomes\": []}"),
        "first message must be a hello");
    assertClosedWith(w -> w.sendText("{\"type\": \"pong\", \"pad\": \"" + "x".repeat(5 << 20)
        + "\"}"), "max-message-bytes");
    JsonNode job = Api.json(api.get("/api/v1/cluster"));
    assertTrue(job.get("workers").size() >= 1, "the node still answers: " + job);
  }

  private interface Send {
    void to(FakeWorker w) throws Exception;
  }

  private void assertClosedWith(Send bad, String reason) throws Exception {
    FakeWorker w = FakeWorker.connect(node.httpPort(), null);
    bad.to(w);
    JsonNode error = w.await("error", WAIT);
    assertTrue(error.get("reason").asText().contains(reason), error.toString());
    w.closed.get(30, TimeUnit.SECONDS);
  }

  @Test
  void theClusterViewListsExternalWorkersWithTheirSlotsAndLoad() throws Exception {
    FakeWorker w = FakeWorker.serving(node.httpPort(), null, "listed", 3, "py.list");
    try {
      JsonNode external = Api.await(() -> {
        for (JsonNode x : Api.json(api.get("/api/v1/cluster")).get("workers")) {
          if (x.path("external").asText().startsWith("listed ")) {
            return x;
          }
        }
        return null;
      }, WAIT, x -> x != null);
      assertEquals(3, external.get("load").get("slots").asInt(), external.toString());
      assertEquals(0, external.get("load").get("busy").asInt(), external.toString());
      String metrics = api.get("/metrics").body();
      assertTrue(metrics.contains("calcgrid_gateway_workers "), metrics);
    } finally {
      w.close();
    }
  }
}
