package com.calcgrid.cli;

import com.calcgrid.api.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code calcgrid submit graph.json [--follow]}: posts a graph to a running node; with
 * {@code --follow} shows live progress over the job's WebSocket, then prints the results.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = "Submit a graph to a running node.")
public final class SubmitCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "GRAPH", description = "the graph, a JSON file")
  Path graphFile;

  @Option(names = "--url", description = "the node's HTTP address [${DEFAULT-VALUE}]",
      defaultValue = "${env:CALCGRID_URL:-http://127.0.0.1:8080}")
  URI url;

  @Option(names = {"-f", "--follow"}, description = "show progress until the job ends, then its results")
  boolean follow;

  @Option(names = {"-o", "--out"}, description = "with --follow: write the results here")
  Path out;

  @Option(names = "--token", description = "bearer token, when the node requires one "
      + "[env CALCGRID_TOKEN]", defaultValue = "${env:CALCGRID_TOKEN}")
  String token;

  @Option(names = "--idempotency-key", description = "submit at most once under this key: "
      + "a retry with the same key and graph gets the same job")
  String idempotencyKey;


  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(graphFile)) {
      System.err.println("calcgrid submit: no such file: " + graphFile);
      return 2;
    }
    HttpRequest.Builder post = authorized(HttpRequest.newBuilder(url.resolve("/api/v1/jobs")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofFile(graphFile));
    if (idempotencyKey != null) {
      post.header("Idempotency-Key", idempotencyKey);
    }
    HttpResponse<String> posted = CliHttp.client().send(post.build(), HttpResponse.BodyHandlers.ofString());
    if (posted.statusCode() != 202 && posted.statusCode() != 200) {
      System.err.println("calcgrid submit: rejected with " + posted.statusCode() + ":");
      System.err.println(posted.body());
      return posted.statusCode() / 100 == 4 ? 2 : 1;
    }
    JsonNode accepted = Json.MAPPER.readTree(posted.body());
    String id = accepted.get("id").asText();
    if (!follow) {
      System.out.println(id);
      return 0;
    }
    System.err.println("job " + id + " accepted: " + accepted.get("taskCount") + " tasks");
    JsonNode finished = follow(id, accepted.get("name").asText(), accepted.get("taskCount").asInt());
    HttpResponse<String> results = CliHttp.client().send(authorized(HttpRequest.newBuilder(
        url.resolve("/api/v1/jobs/" + id + "/results"))).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    String body = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
        Json.MAPPER.readTree(results.body()).get("results"));
    if (out != null) {
      Files.writeString(out, body);
    } else {
      System.out.println(body);
    }
    String state = finished.path("job").path("state").asText();
    System.err.println("job " + id + " " + state
        + (finished.path("job").path("error").isTextual()
            ? "; first error: " + finished.path("job").path("error").asText() : ""));
    return "SUCCEEDED".equals(state) ? 0 : 1;
  }

  /** Streams the job's events into a progress bar; completes with the final message. */
  private JsonNode follow(String id, String name, int tasks) throws Exception {
    CompletableFuture<JsonNode> done = new CompletableFuture<>();
    URI ws = URI.create(url.toString().replaceFirst("^http", "ws"))
        .resolve("/api/v1/jobs/" + id + "/events?events=progress");
    try (Progress progress = new Progress(name, tasks)) {
      WebSocket.Builder builder = CliHttp.client().newWebSocketBuilder();
      if (token != null && !token.isBlank()) {
        builder.header("Authorization", "Bearer " + token.strip());
      }
      WebSocket socket = builder.buildAsync(ws, new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket s, CharSequence data, boolean last) {
          text.append(data);
          if (last) {
            handle(text.toString());
            text.setLength(0);
          }
          s.request(1);
          return null;
        }

        private void handle(String message) {
          try {
            JsonNode m = Json.MAPPER.readTree(message);
            switch (m.path("type").asText()) {
              case "snapshot" -> progress.update(counts(m.path("job").path("counts")));
              case "progress" -> progress.update(counts(m.path("counts")));
              case "finished" -> {
                progress.update(counts(m.path("job").path("counts")));
                done.complete(m);
              }
              default -> { }
            }
          } catch (Exception e) {
            done.completeExceptionally(e);
          }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket s, int code, String reason) {
          done.completeExceptionally(new IllegalStateException(
              "the event stream closed before the job finished (" + code + " " + reason + ")"));
          return null;
        }

        @Override
        public void onError(WebSocket s, Throwable error) {
          done.completeExceptionally(error);
        }
      }).get();
      JsonNode result = done.get();
      socket.abort();
      return result;
    }
  }

  private HttpRequest.Builder authorized(HttpRequest.Builder request) {
    return token == null || token.isBlank() ? request
        : request.header("Authorization", "Bearer " + token.strip());
  }

  private static Map<String, Integer> counts(JsonNode node) {
    Map<String, Integer> counts = new HashMap<>();
    node.fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
    return counts;
  }
}
