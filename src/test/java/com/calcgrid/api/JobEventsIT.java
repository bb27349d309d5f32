package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.EventsClient;
import com.calcgrid.testing.LogCapture;
import com.calcgrid.testing.OneNode;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The live event stream of a job over a real WebSocket. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobEventsIT {
  /** Task events: room for a small job; far too little for the 10,000 events of a big one. */
  private static final int BUFFER = 64;
  private static final Duration CLOSE_DELAY = Duration.ofSeconds(2);

  @RegisterExtension
  static final OneNode NODE = OneNode.h2(Map.of("calcgrid.http.websocket-buffer", BUFFER,
        // the slow client reads nothing until its job ends, over 60 s on a loaded machine: past
        // Pekko's default idle timeout, which resets such a client (JobEventsIdleIT)
        "pekko.http.server.idle-timeout", "10m",
        "calcgrid.http.websocket-close-delay", CLOSE_DELAY.toMillis() + "ms"));

  private WebSocket connect(String jobId, EventsClient client) throws Exception {
    return client.connect(NODE.api(), jobId);
  }

  @Test
  void streamStartsWithASnapshotCarriesTaskEventsAndEndsWithFinished() throws Exception {
    String id = NODE.api().submit("""
        {"tasks": [
          {"id": "root", "fn": "util.sleep", "params": {"ms": 300, "value": 1}},
          {"id": "leaf", "fn": "util.sleep", "params": {"ms": 20}, "deps": ["root"],
           "forEach": {"param": "i", "range": [0, 4]}}]}""");
    EventsClient c = new EventsClient(true);
    connect(id, c);
    c.closed.get(60, TimeUnit.SECONDS);

    List<JsonNode> m = c.messages;
    assertEquals("snapshot", m.get(0).get("type").asText(), m.toString());
    assertEquals(id, m.get(0).get("job").get("id").asText());
    JsonNode last = m.get(m.size() - 1);
    assertEquals("finished", last.get("type").asText(), m.toString());
    assertEquals("SUCCEEDED", last.get("job").get("state").asText());
    assertEquals(5, last.get("job").get("counts").get("SUCCEEDED").asInt());
    List<String> leafEvents = c.taskEvents().stream()
        .filter(x -> x.get("taskId").asText().startsWith("leaf"))
        .map(x -> x.get("event").asText()).toList();
    assertEquals(4, leafEvents.stream().filter("started"::equals).count(), m.toString());
    assertEquals(4, leafEvents.stream().filter("succeeded"::equals).count(), m.toString());
    assertTrue(m.stream().anyMatch(x -> x.get("type").asText().equals("progress")));
  }

  @Test
  void aSlowClientGetsCoalescedProgressAndStillTheFinalEvent() throws Exception {
    // enough events (about 12 MB) to overflow what the sockets of both ends absorb
    int tasks = 50_000;
    String id = NODE.api().submitGatedFanOut(300, tasks);
    // reads the snapshot, then nothing until the job is over: ~100,000 events pile up
    EventsClient c = new EventsClient(false);
    WebSocket ws = connect(id, c);
    NODE.api().awaitFinished(id, Duration.ofSeconds(120));
    c.reading.set(true);
    ws.request(1);
    c.closed.get(60, TimeUnit.SECONDS);

    List<JsonNode> m = c.messages;
    assertEquals("snapshot", m.get(0).get("type").asText());
    JsonNode last = m.get(m.size() - 1);
    assertEquals("finished", last.get("type").asText());
    assertEquals(tasks + 1, last.get("job").get("counts").get("SUCCEEDED").asInt());
    long taskEvents = c.taskEvents().size();
    assertTrue(taskEvents < 2L * (tasks + 1), "events were dropped, not buffered: " + taskEvents);
    assertTrue(m.stream().anyMatch(x -> x.path("droppedTaskEvents").asLong() > 0),
        "the progress message tells the client events were dropped: " + m.stream()
            .map(x -> x.get("type").asText() + x.path("events").size() + "/"
                + x.path("droppedTaskEvents").asLong()).toList());
  }

  @Test
  void theServerClosesTheSocketTheCloseDelayAfterFinishedUnlessTheClientDoesFirst()
      throws Exception {
    String id = NODE.api().submit("{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\"}]}");
    NODE.api().awaitFinished(id, Duration.ofSeconds(30));

    EventsClient waits = new EventsClient(true);
    connect(id, waits);
    assertEquals(1000, waits.closed.get(60, TimeUnit.SECONDS));
    long gap = waits.closedAt - waits.receivedAt.get(waits.receivedAt.size() - 1);
    assertEquals("finished", waits.messages.get(waits.messages.size() - 1).get("type").asText());
    assertTrue(gap >= CLOSE_DELAY.toNanos() * 9 / 10, "closed " + gap / 1_000_000
        + " ms after finished, before the close delay of " + CLOSE_DELAY);

    // a client that closes on finished ends the socket at once, and nothing is reported lost
    try (LogCapture log = LogCapture.capture()) {
      EventsClient closes = new EventsClient(true);
      WebSocket ws = connect(id, closes);
      Api.await(() -> closes.ofType("finished").size(), Duration.ofSeconds(30), n -> n == 1);
      long before = System.nanoTime();
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
      assertEquals(1000, closes.closed.get(60, TimeUnit.SECONDS));
      assertTrue(closes.closedAt - before < CLOSE_DELAY.toNanos(),
          "the server waited out its close delay although the client closed");
      assertTrue(log.events().stream().noneMatch(e -> e.contains("ended before the client")),
          log.events().toString());
    }
  }

  @Test
  void anUnknownJobIsA404BeforeTheUpgrade() {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> connect("no-such-job", new EventsClient(true)));
    assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
    assertEquals(404, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
  }
}
