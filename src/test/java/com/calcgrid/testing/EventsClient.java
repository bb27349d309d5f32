package com.calcgrid.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real WebSocket client of a job's event stream: collects every text message as JSON, and
 * reads only while {@link #reading} is set (a slow client is one that stops reading).
 */
public final class EventsClient implements WebSocket.Listener {
  public final List<JsonNode> messages = new CopyOnWriteArrayList<>();
  /** The same messages as the server wrote them. */
  public final List<String> texts = new CopyOnWriteArrayList<>();
  /** Completes with the close status, or exceptionally on an error. */
  public final CompletableFuture<Integer> closed = new CompletableFuture<>();
  public final AtomicBoolean reading;
  /** {@link System#nanoTime} at the arrival of each message, in the order of {@link #messages}. */
  public final List<Long> receivedAt = new CopyOnWriteArrayList<>();
  /** {@link System#nanoTime} when the socket closed. */
  public volatile long closedAt;
  private final StringBuilder partial = new StringBuilder();

  public EventsClient(boolean reading) {
    this.reading = new AtomicBoolean(reading);
  }

  /** Opens {@code /api/v1/jobs/{jobId}/events} on {@code api}'s node. */
  public WebSocket connect(Api api, String jobId) throws Exception {
    return connect(api, jobId, "");
  }

  /** Opens the event stream with a query, e.g. {@code ?events=progress}. */
  public WebSocket connect(Api api, String jobId, String query) throws Exception {
    return connectAsync(api, jobId, query).get(10, TimeUnit.SECONDS);
  }

  /** Starts opening the event stream, for many clients connecting at once. */
  public CompletableFuture<WebSocket> connectAsync(Api api, String jobId, String query) {
    return api.client().newWebSocketBuilder().buildAsync(URI.create(
        api.base().replace("http", "ws") + "/api/v1/jobs/" + jobId + "/events" + query), this);
  }

  /** Every task event received, from all {@code tasks} messages, in order. */
  public List<JsonNode> taskEvents() {
    List<JsonNode> events = new java.util.ArrayList<>();
    for (JsonNode m : ofType("tasks")) {
      m.get("events").forEach(events::add);
    }
    return events;
  }

  /** Messages of one {@code type}, e.g. {@code snapshot}. */
  public List<JsonNode> ofType(String type) {
    return messages.stream().filter(m -> type.equals(m.path("type").asText())).toList();
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        receivedAt.add(System.nanoTime());
        texts.add(partial.toString());
        messages.add(Api.JSON.readTree(partial.toString()));
      } catch (Exception e) {
        closed.completeExceptionally(e);
      }
      partial.setLength(0);
    }
    if (reading.get()) {
      ws.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
    closedAt = System.nanoTime();
    closed.complete(status);
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    closed.completeExceptionally(error);
  }
}
