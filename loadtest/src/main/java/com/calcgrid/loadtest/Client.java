package com.calcgrid.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** The node's HTTP API as a benchmark uses it: submit a graph, read a job, wait for a state. */
final class Client {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  Client(String base) {
    this.base = base;
  }

  String base() {
    return base;
  }

  boolean ready() {
    try {
      return get("/health/ready").statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A POST without a body, such as a cancel. */
  HttpResponse<String> post(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A DELETE, such as of a finished job. */
  HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(120)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Posts a graph and returns the job id; anything but 202 is an error. */
  String submit(String graph) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs"))
        .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(graph)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) {
      throw new IllegalStateException("submission answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body()).get("id").asText();
  }

  /** The job, or null while its supervisor cannot answer (a node still starting). */
  JsonNode job(String id) throws IOException, InterruptedException {
    HttpResponse<String> r = get("/api/v1/jobs/" + id);
    return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
  }

  JsonNode results(String id) throws IOException, InterruptedException {
    return JSON.readTree(get("/api/v1/jobs/" + id + "/results").body());
  }

  /** Polls every {@code every} until {@code until} holds; fails after {@code timeout}. */
  JsonNode awaitJob(String id, Duration timeout, Duration every, Predicate<JsonNode> until)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      try {
        JsonNode j = job(id);
        if (j != null) {
          last = j;
          if (until.test(j)) {
            return j;
          }
        }
      } catch (IOException e) {
        // the node is restarting
      }
      Thread.sleep(every.toMillis());
    }
    throw new IllegalStateException("job " + id + " not there within " + timeout + "; last: "
        + last);
  }

  /** Waits for the job to end in any state. */
  JsonNode awaitFinished(String id, Duration timeout) throws Exception {
    return awaitJob(id, timeout, Duration.ofMillis(20),
        j -> !"RUNNING".equals(j.path("state").asText()));
  }

  static int succeeded(JsonNode job) {
    return job.path("counts").path("SUCCEEDED").asInt(0);
  }
}
