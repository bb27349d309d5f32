package com.calcgrid.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An external worker written by hand in Java over the gateway's JSON protocol
 * (docs/workers.md), so that hundreds of connections cost the benchmark little: it answers
 * pings, and answers each task at once with its {@code value} param. It records, for each
 * hand-out after its first, the time from sending the report that freed its slot to receiving
 * the next task: the pull loop's hand-out latency as a worker sees it. It reports each task as
 * having run {@link #CLAIMED_RUN_MILLIS}, so that the gateway sends it nothing beyond its one
 * slot (a queue covers 50 ms of work): every hand-out then waits for a free slot, and the
 * latency is the loop's, not a queue's.
 */
final class SimulatedWorker implements WebSocket.Listener {
  static final long CLAIMED_RUN_MILLIS = 100;

  private final ConcurrentLinkedQueue<Long> latenciesNanos;
  private final AtomicInteger answered;
  private final StringBuilder partial = new StringBuilder();
  private CompletableFuture<WebSocket> sending;
  private long reportedAt;
  private WebSocket socket;

  private SimulatedWorker(ConcurrentLinkedQueue<Long> latenciesNanos, AtomicInteger answered) {
    this.latenciesNanos = latenciesNanos;
    this.answered = answered;
  }

  /** Connects and says hello: one slot, serving {@code fn}. */
  static SimulatedWorker connect(HttpClient http, int port, String name, String fn,
      ConcurrentLinkedQueue<Long> latenciesNanos, AtomicInteger answered) throws Exception {
    SimulatedWorker w = new SimulatedWorker(latenciesNanos, answered);
    WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/api/v1/workers"), w)
        .get(30, TimeUnit.SECONDS);
    synchronized (w) {
      w.socket = ws;
      w.sending = CompletableFuture.completedFuture(ws);
      w.send("{\"type\":\"hello\",\"name\":\"" + name + "\",\"slots\":1,\"functions\":"
          + "[{\"name\":\"" + fn + "\"}]}");
    }
    return w;
  }

  private void send(String text) {
    sending = sending.thenCompose(ws -> ws.sendText(text, true));
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      try {
        handle(Client.JSON.readTree(text));
      } catch (Exception e) {
        throw new IllegalStateException("cannot read " + text, e);
      }
    }
    ws.request(1);
    return null;
  }

  private synchronized void handle(JsonNode m) {
    switch (m.path("type").asText()) {
      case "ping" -> send("{\"type\":\"pong\"}");
      case "tasks" -> {
        long now = System.nanoTime();
        if (reportedAt != 0) {
          latenciesNanos.add(now - reportedAt);
          reportedAt = 0;
        }
        ObjectNode out = Client.JSON.createObjectNode().put("type", "outcomes");
        ArrayNode outcomes = out.putArray("outcomes");
        long at = System.currentTimeMillis();
        for (JsonNode t : m.get("tasks")) {
          outcomes.addObject().put("job", t.get("job").asText())
              .put("dispatchId", t.get("dispatchId").asText()).put("task", t.get("task").asInt())
              .put("attempt", t.get("attempt").asInt()).put("ok", true)
              .put("startedAt", at - CLAIMED_RUN_MILLIS).put("finishedAt", at)
              .set("result", t.path("params").path("value"));
        }
        reportedAt = System.nanoTime();
        send(out.toString());
        answered.addAndGet(outcomes.size());
      }
      default -> {
        // welcome, cancel, refused: nothing to do for a worker that answers at once
      }
    }
  }

  void close() {
    WebSocket ws;
    synchronized (this) {
      ws = socket;
    }
    if (ws != null) {
      ws.abort();
    }
  }
}
