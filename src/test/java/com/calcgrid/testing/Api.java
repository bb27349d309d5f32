package com.calcgrid.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** A real HTTP client against a bound CalcGrid node. */
public final class Api {
  public static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final String base;
  private final String token;

  public Api(int port) {
    this("127.0.0.1", port);
  }

  public Api(String host, int port) {
    this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(),
        "http://" + host + ":" + port, null);
  }

  private Api(HttpClient http, String base, String token) {
    this.http = http;
    this.base = base;
    this.token = token;
  }

  /** The same node, calling with {@code Authorization: Bearer token} (null: no header). */
  public Api as(String token) {
    return new Api(http, base, token);
  }

  /** A request to {@code path} with this client's token, if any. */
  public HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  public String base() {
    return base;
  }

  public HttpClient client() {
    return http;
  }

  /** POST with a JSON body; {@code headers} are name, value pairs. */
  public HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  public HttpResponse<String> get(String path) throws Exception {
    return send(request(path).GET());
  }

  public static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  /** Posts a graph, expects 202, returns the job id. */
  public String submit(String graph) throws Exception {
    HttpResponse<String> r = post("/api/v1/jobs", graph);
    if (r.statusCode() != 202) {
      throw new AssertionError("expected 202, got " + r.statusCode() + ": " + r.body());
    }
    return json(r).get("id").asText();
  }

  /**
   * Posts a job whose {@code many[0..tasks)} no-op tasks wait for a {@code gate} that sleeps
   * {@code gateMs}: time for event clients to connect before the events flood in.
   */
  public String submitGatedFanOut(int gateMs, int tasks) throws Exception {
    return submit("""
        {"tasks": [
          {"id": "gate", "fn": "util.sleep", "params": {"ms": %d}},
          {"id": "many", "fn": "util.sum", "deps": ["gate"], "forEach": {"param": "i", "range": [0, %d]}}]}"""
        .formatted(gateMs, tasks));
  }

  public JsonNode job(String id) throws Exception {
    return json(get("/api/v1/jobs/" + id));
  }

  public JsonNode task(String jobId, String taskId) throws Exception {
    String encoded = java.net.URLEncoder.encode(taskId, java.nio.charset.StandardCharsets.UTF_8);
    return json(get("/api/v1/jobs/" + jobId + "/tasks/" + encoded));
  }

  /** Polls the job (every 50 ms, bounded) until {@code until} holds; returns that view. */
  public JsonNode awaitJob(String id, Duration timeout, Predicate<JsonNode> until)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = get("/api/v1/jobs/" + id);
      if (r.statusCode() == 200) {
        last = json(r);
        if (until.test(last)) {
          return last;
        }
      }
      Poll.pause();
    }
    throw new AssertionError("job " + id + " did not reach the expected state within "
        + timeout + "; last seen: " + last);
  }

  /** What a probe returns; may throw. */
  public interface Probe<T> {
    T get() throws Exception;
  }

  /** Bounded polling: calls {@code probe} until {@code until} holds, or fails with the last value. */
  public static <T> T await(Probe<T> probe, Duration timeout, Predicate<T> until) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = probe.get();
      if (until.test(last)) {
        return last;
      }
      Poll.pause();
    }
    throw new AssertionError("condition not met within " + timeout + "; last seen: " + last);
  }

  /** Waits until the job has ended in any state. */
  public JsonNode awaitFinished(String id, Duration timeout) throws Exception {
    return awaitJob(id, timeout, j -> !"RUNNING".equals(j.path("state").asText()));
  }
}
