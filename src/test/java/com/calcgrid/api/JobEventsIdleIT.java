package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.EventsClient;
import com.calcgrid.testing.LogCapture;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The event stream and Pekko's connection idle timeout, shortened here to 2 s (60 s by default):
 * a client that reads slowly or waits on a quiet job keeps its stream, and one that reads
 * nothing for longer is disconnected, is told so, and gets the end by connecting again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobEventsIdleIT {
  private static final Duration IDLE = Duration.ofSeconds(2);
  private CalcGridNode node;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    node = TestNodes.h2(Map.of(
        "calcgrid.http.websocket-buffer", 64,
        "pekko.http.server.idle-timeout", IDLE.toMillis() + "ms",
        // as in application.conf, well under the idle timeout
        "pekko.http.server.websocket.periodic-keep-alive-max-idle", "500ms"));
    api = new Api(node.httpPort());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  @Test
  void aQuietJobOutlivesTheIdleTimeoutThroughKeepAlivePings() throws Exception {
    String id = api.submit("""
        {"tasks": [{"id": "quiet", "fn": "util.sleep", "params": {"ms": %d}}]}"""
        .formatted(IDLE.toMillis() * 3));
    EventsClient c = new EventsClient(true);
    c.connect(api, id);
    c.closed.get(60, TimeUnit.SECONDS);
    assertEquals("finished", c.messages.get(c.messages.size() - 1).path("type").asText(),
        c.texts.toString());
  }

  @Test
  void aClientThatReadsNothingPastTheIdleTimeoutIsResetAndGetsTheEndOnReconnecting()
      throws Exception {
    // about 12 MB of events: far more than the TCP buffers of both ends absorb
    int tasks = 50_000;
    String id = api.submitGatedFanOut(300, tasks);
    EventsClient slow = new EventsClient(false);
    WebSocket ws;
    try (LogCapture log = LogCapture.capture()) {
      ws = slow.connect(api, id);
      api.awaitFinished(id, Duration.ofSeconds(120));
      // the server's writes stall once the buffers are full; no byte passes for IDLE
      List<String> ended = Api.await(() -> log.events().stream()
              .filter(e -> e.contains("events socket of job " + id + " ended")).toList(),
          Duration.ofSeconds(60), l -> !l.isEmpty());
      assertTrue(ended.get(0).contains("idle-timeout"), ended.toString());
    }

    slow.reading.set(true);
    ws.request(1);
    // told, not left waiting for a message that will never come
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> slow.closed.get(60, TimeUnit.SECONDS));
    assertTrue(slow.ofType("finished").isEmpty(), slow.texts.toString());

    EventsClient again = new EventsClient(true);
    again.connect(api, id);
    again.closed.get(60, TimeUnit.SECONDS);
    List<JsonNode> m = again.messages;
    assertEquals(List.of("snapshot", "finished"),
        m.stream().map(x -> x.path("type").asText()).toList(), e.toString());
    assertEquals(tasks + 1, m.get(1).path("job").path("counts").path("SUCCEEDED").asInt());
  }
}
