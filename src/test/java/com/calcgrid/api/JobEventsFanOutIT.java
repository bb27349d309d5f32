package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.EventsClient;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Many real WebSocket clients on one job of one real node: one hub serves them all alike. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobEventsFanOutIT {
  private CalcGridNode node;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    // a slow client below reads nothing until its job ends, which on a loaded machine takes
    // longer than Pekko's default idle timeout, which resets such a client (JobEventsIdleIT)
    node = TestNodes.h2(Map.of("pekko.http.server.idle-timeout", "10m"));
    api = new Api(node.httpPort());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  @Test
  void fiftyClientsReceiveTheSameFramesAndTheFinishedEvent() throws Exception {
    int tasks = 1000;
    // the gate holds task events back until every client is on; the sink gives the last
    // frames time to reach every client before finished
    String id = api.submit("""
        {"tasks": [
          {"id": "gate", "fn": "util.sleep", "params": {"ms": 3000}},
          {"id": "many", "fn": "util.sum", "deps": ["gate"], "forEach": {"param": "i", "range": [0, %d]}},
          {"id": "sink", "fn": "util.sleep", "params": {"ms": 500}, "deps": ["many"]}]}"""
        .formatted(tasks));
    List<EventsClient> clients = new ArrayList<>();
    List<CompletableFuture<WebSocket>> sockets = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      EventsClient c = new EventsClient(true);
      clients.add(c);
      sockets.add(c.connectAsync(api, id, ""));
    }
    CompletableFuture.allOf(sockets.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertEquals(0, api.job(id).path("counts").path("SUCCEEDED").asInt(),
        "every client joined while the gate ran");
    for (EventsClient c : clients) {
      c.closed.get(120, TimeUnit.SECONDS);
    }

    List<String> reference = tasksFrames(clients.get(0));
    String finished = clients.get(0).texts.get(clients.get(0).texts.size() - 1);
    assertTrue(finished.contains("\"type\":\"finished\""), finished);
    assertTrue(finished.contains("\"SUCCEEDED\":" + (tasks + 2)), finished);
    Set<String> started = new HashSet<>();
    Set<String> succeeded = new HashSet<>();
    for (JsonNode e : clients.get(0).taskEvents()) {
      (e.get("event").asText().equals("started") ? started : succeeded).add(e.get("taskId").asText());
    }
    assertEquals(tasks + 2, succeeded.size(), "every task's success reached the client");
    assertTrue(started.size() >= tasks + 1, "every start after the snapshot reached the client");
    for (EventsClient c : clients) {
      assertEquals("snapshot", c.messages.get(0).get("type").asText());
      assertEquals(reference, tasksFrames(c), "the same task frames, byte for byte");
      assertEquals(finished, c.texts.get(c.texts.size() - 1));
      assertTrue(c.messages.stream().noneMatch(m -> m.has("droppedTaskEvents")));
    }
  }

  @Test
  void aClientThatStopsReadingDelaysNoOtherAndStillGetsTheEnd() throws Exception {
    // JobEventsIT checks what a slow client misses when its buffers overflow (50k tasks);
    // here, that nobody waits for it
    int tasks = 5_000;
    String id = api.submitGatedFanOut(300, tasks);
    EventsClient slow = new EventsClient(false);
    WebSocket slowSocket = slow.connect(api, id);
    List<EventsClient> fast = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      EventsClient c = new EventsClient(true);
      c.connect(api, id);
      fast.add(c);
    }
    for (EventsClient c : fast) {
      c.closed.get(120, TimeUnit.SECONDS);
      assertEquals("finished", c.messages.get(c.messages.size() - 1).get("type").asText());
    }
    assertEquals(1, slow.messages.size(), "the slow client read only its snapshot so far");

    slow.reading.set(true);
    slowSocket.request(1);
    try {
      slow.closed.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the slow client did not reach the end after it resumed; it got "
          + slow.messages.size() + " messages, the last: " + slow.texts.stream()
              .skip(Math.max(0, slow.texts.size() - 3))
              .map(t -> t.substring(0, Math.min(200, t.length()))).toList(), e);
    }
    JsonNode last = slow.messages.get(slow.messages.size() - 1);
    assertEquals("finished", last.get("type").asText());
    assertEquals(tasks + 1, last.get("job").get("counts").get("SUCCEEDED").asInt());
  }

  @Test
  void aProgressOnlyClientGetsNoTaskEvents() throws Exception {
    String id = api.submit("""
        {"tasks": [{"id": "t", "fn": "util.sleep", "params": {"ms": 20},
                    "forEach": {"param": "i", "range": [0, 20]}}]}""");
    EventsClient c = new EventsClient(true);
    c.connect(api, id, "?events=progress");
    c.closed.get(60, TimeUnit.SECONDS);
    assertEquals("snapshot", c.messages.get(0).get("type").asText());
    assertEquals("finished", c.messages.get(c.messages.size() - 1).get("type").asText());
    assertTrue(c.ofType("tasks").isEmpty(), c.messages.toString());
  }

  @Test
  void anUnknownEventsChoiceIsA400BeforeTheUpgrade() throws Exception {
    String id = api.submit("{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}");
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> new EventsClient(true).connect(api, id, "?events=everything"));
    WebSocketHandshakeException h = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
    assertEquals(400, h.getResponse().statusCode());
  }

  private static List<String> tasksFrames(EventsClient c) {
    return c.texts.stream().filter(t -> t.startsWith("{\"type\":\"tasks\"")).toList();
  }
}
