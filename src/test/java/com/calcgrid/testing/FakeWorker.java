package com.calcgrid.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An external worker as a test writes it: a real WebSocket to a node's gateway, speaking the
 * protocol's JSON by hand, so a test can also break it on purpose.
 */
public final class FakeWorker implements WebSocket.Listener {
  public final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
  public final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket socket;
  /** Whether pings are answered: a silent worker answers none. */
  public volatile boolean answerPings = true;

  /** Opens the socket; {@code token} may be null. */
  public static FakeWorker connect(int port, String token) throws Exception {
    FakeWorker w = new FakeWorker();
    WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    w.socket = b.buildAsync(URI.create("ws://127.0.0.1:" + port + "/api/v1/workers"), w)
        .get(20, TimeUnit.SECONDS);
    return w;
  }

  /** Connects and says hello; returns once welcomed. */
  public static FakeWorker serving(int port, String token, String name, int slots,
      String... functions) throws Exception {
    FakeWorker w = connect(port, token);
    ObjectNode hello = Api.JSON.createObjectNode().put("type", "hello").put("name", name)
        .put("slots", slots);
    ArrayNode fns = hello.putArray("functions");
    for (String f : functions) {
      fns.addObject().put("name", f).put("version", "1");
    }
    w.send(hello);
    w.await("welcome", Duration.ofSeconds(20));
    return w;
  }

  public void send(JsonNode message) {
    sendText(message.toString());
  }

  public synchronized void sendText(String text) {
    socket.sendText(text, true).join();
  }

  /** The next message of this type, skipping others (pings among them); fails after timeout. */
  public JsonNode await(String type, Duration timeout) throws InterruptedException {
    return await(m -> type.equals(m.path("type").asText()), timeout);
  }

  public JsonNode await(Predicate<JsonNode> which, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsonNode> skipped = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      JsonNode m = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (m != null && which.test(m)) {
        return m;
      }
      if (m != null && !"ping".equals(m.path("type").asText())) {
        skipped.add(m);
      }
    }
    throw new AssertionError("no such message within " + timeout + "; other messages: "
        + skipped);
  }

  /** Answers every ping until told otherwise, as a live worker does. */
  public void pong() {
    send(Api.JSON.createObjectNode().put("type", "pong"));
  }

  /** A successful outcome of {@code task} (a message of a hand-out) with {@code result}. */
  public static ObjectNode success(JsonNode task, JsonNode result) {
    ObjectNode o = Api.JSON.createObjectNode();
    o.put("job", task.get("job").asText());
    o.put("dispatchId", task.get("dispatchId").asText());
    o.put("task", task.get("task").asInt());
    o.put("attempt", task.get("attempt").asInt());
    o.put("ok", true);
    o.set("result", result);
    long now = System.currentTimeMillis();
    o.put("startedAt", now);
    o.put("finishedAt", now);
    return o;
  }

  public void report(List<ObjectNode> outcomes) {
    ObjectNode m = Api.JSON.createObjectNode().put("type", "outcomes");
    ArrayNode list = m.putArray("outcomes");
    outcomes.forEach(list::add);
    send(m);
  }

  /** Drops the connection without a close handshake, as a killed process would. */
  public void abort() {
    socket.abort();
  }

  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      JsonNode m;
      try {
        m = Api.JSON.readTree(partial.toString());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      if (answerPings && "ping".equals(m.path("type").asText())) {
        CompletableFuture.runAsync(this::pong);
      }
      received.add(m);
      partial.setLength(0);
    }
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    closed.complete(-1);
  }
}
