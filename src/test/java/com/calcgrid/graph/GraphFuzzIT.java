package com.calcgrid.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fuzzed graph documents posted to a real node: every answer is 202 or a 4xx problem+json that
 * agrees with the in-process verdict, never a 5xx or a hang; a refused graph leaves nothing in
 * the job index, the journal or the idempotency keys; and the node is still ready at the end.
 *
 * <p>The node has no worker role, so accepted jobs stay queued and the journal holds only what
 * submissions wrote. {@code -Dcalcgrid.fuzz.http-inputs=N} posts more.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GraphFuzzIT {
  private static final long MAX_BODY = 4L << 20;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private CalcGridNode node;
  private Api api;
  private Connection db;

  /** Smaller than the defaults, so the limits are reached with documents of kilobytes. */
  static GraphLimits nodeLimits() {
    return new GraphLimits(20_000, 2_000, 500);
  }

  @BeforeAll
  void start() throws Exception {
    GraphLimits limits = nodeLimits();
    node = TestNodes.h2(Map.of(
        "calcgrid.roles", "api,scheduler",
        "calcgrid.http.max-body", Long.toString(MAX_BODY),
        "calcgrid.graph.max-tasks", limits.maxTasks(),
        "calcgrid.graph.max-templates", limits.maxTemplates(),
        "calcgrid.graph.max-deps-per-task", limits.maxDepsPerTemplate(),
        "calcgrid.limits.max-running-jobs", 1_000_000,
        "calcgrid.limits.max-running-jobs-per-tenant", 1_000_000));
    api = new Api(node.httpPort());
    // the node's own H2 database, opened again in this JVM: the same database, not a copy
    db = DriverManager.getConnection(
        node.system().settings().config().getString("calcgrid.db.url"), "sa", "");
  }

  @AfterAll
  void stop() throws Exception {
    if (db != null) {
      db.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void noFuzzedSubmissionGetsA5xxOrStoresARefusedGraph() throws Exception {
    long seed = GraphFuzzTest.seed();
    long count = Long.getLong("calcgrid.fuzz.http-inputs", 300);
    FuzzInputs gen = FuzzInputs.of(seed,
        FuzzInputs.jsonFiles(TestNodes.projectFile("docs/examples")), nodeLimits(),
        JsonLimits.DEFAULT);
    FuzzCheck inProcess = new FuzzCheck(JsonLimits.DEFAULT, nodeLimits(), node.functions());
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Set<String> accepted = new HashSet<>();
    Set<String> acceptedKeys = new HashSet<>();
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    long slowest = 0;
    for (long i = 0; i < count && failures.size() < 10; i++) {
      FuzzInputs.Input in = gen.next(i);
      String key = i % 3 == 0 ? "fuzz-" + seed + "-" + i : null;
      HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/jobs"))
          .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(in.bytes()));
      if (key != null) {
        post.header("Idempotency-Key", key);
      }
      long t0 = System.nanoTime();
      HttpResponse<String> r;
      try {
        r = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
      } catch (java.net.http.HttpTimeoutException e) {
        failures.add(describe(seed, in, "no answer within " + REQUEST_TIMEOUT));
        continue;
      }
      slowest = Math.max(slowest, System.nanoTime() - t0);
      statuses.merge(r.statusCode(), 1, Integer::sum);
      String wrong = wrongAnswer(r, in, inProcess);
      if (wrong != null) {
        failures.add(describe(seed, in, wrong));
        continue;
      }
      if (r.statusCode() == 202) {
        accepted.add(Api.json(r).get("id").asText());
        if (key != null) {
          acceptedKeys.add(key);
        }
        continue;
      }
      Set<String> stored = storedJobs();
      stored.removeAll(accepted);
      if (!stored.isEmpty()) {
        failures.add(describe(seed, in, "refused with " + r.statusCode() + ", yet stored "
            + stored));
      }
    }
    System.out.printf("GraphFuzzIT seed %d: %d inputs, statuses %s, slowest %d ms%n", seed,
        count, statuses, slowest / 1_000_000);
    assertTrue(failures.isEmpty(), () -> failures.size() + " submissions answered wrongly:\n"
        + String.join("\n\n", failures));

    // everything accepted is there, and nothing else: index, journal, keys and the listing
    Api.await(this::storedJobs, Duration.ofSeconds(30), s -> s.equals(accepted));
    assertEquals(accepted, journaledJobs());
    assertEquals(acceptedKeys, query("SELECT idem_key FROM calcgrid_idempotency"));
    assertEquals(accepted, listedJobs());
    assertTrue(accepted.size() > count / 50, "accepted " + accepted.size() + " of " + count);
    assertTrue(statuses.getOrDefault(400, 0) > count / 2, statuses.toString());

    assertEquals(200, api.get("/health/ready").statusCode());
    assertEquals(202, api.post("/api/v1/jobs", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\"}]}")
        .statusCode());
  }

  /** Null if the answer is right for the document, else what is wrong with it. */
  private static String wrongAnswer(HttpResponse<String> r, FuzzInputs.Input in, FuzzCheck check)
      throws Exception {
    int status = r.statusCode();
    if (status >= 500 || status < 200 || status >= 300 && status < 400) {
      return "answered " + status + ": " + r.body();
    }
    if (status != 202) {
      String type = r.headers().firstValue("Content-Type").orElse("");
      if (!type.equals("application/problem+json")) {
        return "answered " + status + " as '" + type + "': " + r.body();
      }
      JsonNode problem = Api.json(r);
      if (problem.path("status").asInt() != status || !problem.path("type").isTextual()
          || problem.path("detail").asText().isBlank()) {
        return "answered " + status + " with an incomplete problem: " + r.body();
      }
    }
    if (in.bytes().length > MAX_BODY) {
      return status == 413 ? null : "a body over the limit answered " + status;
    }
    String verdict = check.check(in);
    int expected = switch (verdict) {
      case "ACCEPTED" -> 202;
      case "INVALID" -> 400;
      case "TOO_LARGE" -> 422;
      default -> -1;
    };
    return status == expected ? null
        : "answered " + status + " where the parser says " + verdict + ": " + r.body();
  }

  private static String describe(long seed, FuzzInputs.Input in, String what) {
    return new FuzzCheck.Violation(seed, in, what).toString();
  }

  private Set<String> storedJobs() throws Exception {
    return query("SELECT id FROM calcgrid_jobs");
  }

  private Set<String> journaledJobs() throws Exception {
    Set<String> ids = new HashSet<>();
    for (String pid : query("SELECT DISTINCT \"persistence_id\" FROM \"event_journal\"")) {
      if (pid.startsWith("Job|")) {
        ids.add(pid.substring("Job|".length()));
      }
    }
    Set<String> snapshots = query("SELECT DISTINCT \"persistence_id\" FROM \"snapshot\"");
    snapshots.removeIf(pid -> !pid.startsWith("Job|") || ids.contains(pid.substring(4)));
    assertTrue(snapshots.isEmpty(), "snapshots of jobs never journaled: " + snapshots);
    return ids;
  }

  private Set<String> listedJobs() throws Exception {
    Set<String> ids = new HashSet<>();
    for (int offset = 0; ; offset += 1000) {
      JsonNode page = Api.json(api.get("/api/v1/jobs?limit=1000&offset=" + offset));
      page.get("jobs").forEach(j -> ids.add(j.get("id").asText()));
      if (!page.path("more").asBoolean()) {
        return ids;
      }
    }
  }

  private Set<String> query(String sql) throws Exception {
    Set<String> out = new HashSet<>();
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
