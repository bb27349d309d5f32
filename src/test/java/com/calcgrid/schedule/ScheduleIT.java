package com.calcgrid.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Schedules on one real node over real HTTP with authentication on: firings become jobs once
 * each, overlap policies with jobs that outlast the interval, pause, trigger, backfill, refused
 * fields, and tenancy. One node serves every test; each test makes schedules of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleIT {
  static final Duration WAIT = Duration.ofSeconds(90);
  static final String QUICK = "{\"name\": \"quick\", \"tasks\": [{\"id\": \"a\", \"fn\": "
      + "\"util.sum\", \"params\": {\"value\": 1}}]}";
  /** A job that outlasts a 2-second interval. */
  static final String SLOW = "{\"name\": \"slow\", \"tasks\": [{\"id\": \"s\", \"fn\": "
      + "\"util.sleep\", \"params\": {\"ms\": 3000}}]}";

  private CalcGridNode node;
  private Api deskA;
  private Api deskB;
  private Api viewerA;
  private Api admin;

  @BeforeAll
  void start() throws Exception {
    Map<String, Object> settings = new HashMap<>(Tokens.hs256Node());
    settings.put("calcgrid.worker.slots", 8);
    settings.put("calcgrid.schedules.min-interval", "2s");
    settings.put("calcgrid.schedules.max-backfill", 5);
    node = TestNodes.h2(settings);
    Api anonymous = new Api(node.httpPort());
    deskA = anonymous.as(Tokens.token("alice", "desk-a", "submitter"));
    deskB = anonymous.as(Tokens.token("bob", "desk-b", "submitter"));
    viewerA = anonymous.as(Tokens.token("vera", "desk-a", "viewer"));
    admin = anonymous.as(Tokens.token("ada", "ops", "admin"));
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  @Test
  void aScheduleEveryTwoSecondsRunsOneJobPerFiring() throws Exception {
    String id = create(deskA, "every-2s", "*/2 * * * * ?", "allow", QUICK);
    Api.await(() -> jobsOf(deskA, id), WAIT, jobs -> jobs.size() >= 5);
    JsonNode paused = patch(deskA, id, "{\"paused\": true}");
    assertTrue(paused.get("paused").asBoolean());
    assertEquals(0, paused.get("nextFirings").size(), "a paused schedule has no next firing");
    JsonNode settled = Api.await(() -> schedule(deskA, id), WAIT,
        s -> s.get("pending").isEmpty());

    List<JsonNode> jobs = jobsOf(deskA, id);
    assertEquals(settled.get("counts").get("fired").asLong(), jobs.size(),
        "one job per firing that ran: " + settled);
    List<Instant> times = new ArrayList<>();
    for (JsonNode j : jobs) {
      assertEquals(id, j.get("schedule").asText());
      times.add(Instant.parse(j.get("scheduledFor").asText()));
    }
    assertEquals(times.size(), new HashSet<>(times).size(), "no firing ran twice: " + times);
    times.sort(Comparator.naturalOrder());
    for (int i = 1; i < times.size(); i++) {
      assertEquals(Duration.ofSeconds(2), Duration.between(times.get(i - 1), times.get(i)),
          "no firing was lost between " + times.get(i - 1) + " and " + times.get(i));
    }
    // the job's own view names the firing too, and the schedule shows the job and its state
    JsonNode job = deskA.job(jobs.get(0).get("id").asText());
    assertEquals(id, job.get("schedule").asText());
    assertEquals(jobs.get(0).get("scheduledFor"), job.get("scheduledFor"));
    JsonNode last = settled.get("lastFirings").get(0);
    assertEquals("SUBMITTED", last.get("outcome").asText());
    assertTrue(last.get("job").isTextual() && last.has("jobState"), last.toString());
    assertEquals("/api/v1/jobs?schedule=" + id, settled.get("links").get("jobs").asText());
    String metrics = deskA.get("/metrics").body();
    assertTrue(metrics.contains("calcgrid_schedule_firings_total{outcome=\"submitted\"}")
        && metrics.contains("calcgrid_schedule_lateness_seconds_bucket"), "schedule metrics");
  }

  @Test
  void badFieldsAreRefusedNamingTheField() throws Exception {
    assertRefused("{\"cron\": \"61 * * * * ?\", \"graph\": " + QUICK + "}", "cron");
    assertRefused("{\"cron\": \"30 18 * * 1-5\", \"graph\": " + QUICK + "}", "cron");
    // every second, more often than this node's min-interval of 2s
    assertRefused("{\"cron\": \"* * * * * ?\", \"graph\": " + QUICK + "}", "cron");
    assertRefused("{\"cron\": \"0 0 * * * ?\", \"timeZone\": \"Mars/Olympus\", \"graph\": "
        + QUICK + "}", "timeZone");
    assertRefused("{\"cron\": \"0 0 * * * ?\", \"overlap\": \"queue\", \"graph\": " + QUICK
        + "}", "overlap");
    assertRefused("{\"cron\": \"0 0 * * * ?\", \"catchUpWindow\": \"60s\", \"graph\": " + QUICK
        + "}", "catchUpWindow");
    assertRefused("{\"cron\": \"0 0 * * * ?\", \"startAt\": \"tomorrow\", \"graph\": " + QUICK
        + "}", "startAt");
    assertRefused("{\"cron\": \"0 0 * * * ?\", \"retries\": 3, \"graph\": " + QUICK + "}",
        "retries");
    assertRefused("{\"cron\": \"0 0 * * * ?\"}", "graph");
    JsonNode graph = assertRefused("{\"cron\": \"0 0 * * * ?\", \"graph\": {\"tasks\": [{\"id\":"
        + " \"a\", \"fn\": \"no.such\"}]}}", "graph");
    assertEquals("graph.tasks[0].fn", graph.get("errors").get(0).get("where").asText());
    assertEquals(0, Api.json(deskA.get("/api/v1/schedules?limit=1000")).get("schedules")
        .findValuesAsText("cron").stream().filter(c -> c.startsWith("61")).count(),
        "a refused schedule is not stored");
  }

  @Test
  void overlapPoliciesWithJobsThatOutlastTheInterval() throws Exception {
    Map<String, String> ids = new HashMap<>();
    for (String policy : List.of("skip", "buffer-one", "cancel-previous", "allow")) {
      ids.put(policy, create(deskA, "overlap-" + policy, "*/2 * * * * ?", policy, SLOW));
    }
    JsonNode skip = Api.await(() -> schedule(deskA, ids.get("skip")), WAIT,
        s -> s.get("counts").get("fired").asInt() >= 2 && s.get("counts").get("skipped").asInt() >= 2);
    JsonNode buffer = Api.await(() -> schedule(deskA, ids.get("buffer-one")), WAIT,
        s -> s.get("counts").get("fired").asInt() >= 3 && s.get("counts").get("skipped").asInt() >= 1);
    Api.await(() -> schedule(deskA, ids.get("cancel-previous")), WAIT,
        s -> s.get("counts").get("fired").asInt() >= 3);
    Api.await(() -> schedule(deskA, ids.get("allow")), WAIT,
        s -> s.get("counts").get("fired").asInt() >= 4);
    for (String id : ids.values()) {
      patch(deskA, id, "{\"paused\": true}");
    }

    // skip: never two at once; the skipped firings say why
    assertNoTwoAtOnce(finishedJobsOf(ids.get("skip")));
    assertTrue(outcomes(skip).contains("SKIPPED"), skip.toString());
    assertTrue(skip.get("lastFirings").findValuesAsText("detail").stream()
        .anyMatch(d -> d.contains("still running")), skip.toString());
    // buffer-one: never two at once, and a buffered firing ran once its predecessor ended
    List<JsonNode> buffered = finishedJobsOf(ids.get("buffer-one"));
    assertNoTwoAtOnce(buffered);
    assertTrue(buffered.stream().anyMatch(j -> Duration.between(
            Instant.parse(j.get("scheduledFor").asText()),
            Instant.parse(j.get("submittedAt").asText())).toMillis() > 500),
        "a firing waited for the previous job: " + buffered);
    // cancel-previous: each firing cancels the job before it
    List<JsonNode> cancelling = finishedJobsOf(ids.get("cancel-previous"));
    long cancelled = cancelling.stream().filter(j -> j.get("state").asText().equals("CANCELLED"))
        .count();
    assertTrue(cancelled >= 2, "previous jobs cancelled: " + cancelling);
    for (int i = 0; i + 1 < cancelling.size(); i++) {
      assertEquals("CANCELLED", cancelling.get(i).get("state").asText(),
          "every job but the last was cancelled by the next firing: " + cancelling);
    }
    // allow: jobs run side by side
    List<JsonNode> allowed = finishedJobsOf(ids.get("allow"));
    boolean overlapped = false;
    for (int i = 0; i + 1 < allowed.size(); i++) {
      overlapped |= Instant.parse(allowed.get(i + 1).get("submittedAt").asText())
          .isBefore(Instant.parse(allowed.get(i).get("finishedAt").asText()));
    }
    assertTrue(overlapped, "two jobs ran at once: " + allowed);
    assertFalse(outcomes(schedule(deskA, ids.get("allow"))).contains("SKIPPED"));
  }

  @Test
  void pauseTriggerBackfillChangeAndDelete() throws Exception {
    String id = create(deskA, "noon", "0 0 12 * * ?", "allow", QUICK, "\"paused\": true, "
        + "\"timeZone\": \"UTC\"");
    JsonNode created = schedule(deskA, id);
    assertTrue(created.get("paused").asBoolean());
    assertEquals(0, created.get("nextFirings").size());

    HttpResponse<String> triggered = deskA.post("/api/v1/schedules/" + id + "/trigger", "");
    assertEquals(202, triggered.statusCode(), triggered.body());
    JsonNode firing = Api.json(triggered).get("firings").get(0);
    JsonNode job = deskA.awaitFinished(firing.get("job").asText(), WAIT);
    assertEquals("SUCCEEDED", job.get("state").asText());
    assertEquals(id, job.get("schedule").asText());
    assertEquals(firing.get("scheduledFor").asText(), job.get("scheduledFor").asText());

    // three noons in the past: three jobs; the same range again starts nothing new
    Instant today = LocalDate.now(ZoneOffset.UTC).atStartOfDay().toInstant(ZoneOffset.UTC);
    String range = "{\"from\": \"" + today.minus(Duration.ofDays(3)) + "\", \"to\": \""
        + today.minusSeconds(1) + "\"}";
    HttpResponse<String> backfill = deskA.post("/api/v1/schedules/" + id + "/backfill", range);
    assertEquals(202, backfill.statusCode(), backfill.body());
    assertEquals(3, Api.json(backfill).get("firings").size());
    Api.await(() -> jobsOf(deskA, id), WAIT, jobs -> jobs.size() == 4);
    assertEquals(202, deskA.post("/api/v1/schedules/" + id + "/backfill", range).statusCode());
    JsonNode again = Api.await(() -> schedule(deskA, id), WAIT,
        s -> s.get("counts").get("fired").asInt() == 7);
    assertEquals(4, jobsOf(deskA, id).size(), "a backfill fills gaps, it never runs a firing "
        + "twice: " + again);
    Set<String> noons = new HashSet<>();
    for (JsonNode j : jobsOf(deskA, id)) {
      noons.add(j.get("scheduledFor").asText());
    }
    assertTrue(noons.contains(today.minus(Duration.ofDays(1)).plus(Duration.ofHours(12))
        .toString()), noons.toString());

    HttpResponse<String> tooMany = deskA.post("/api/v1/schedules/" + id + "/backfill",
        "{\"from\": \"" + today.minus(Duration.ofDays(30)) + "\", \"to\": \"" + today + "\"}");
    assertEquals(422, tooMany.statusCode(), tooMany.body());
    assertTrue(Api.json(tooMany).get("detail").asText().contains("max-backfill"));

    JsonNode changed = patch(deskA, id, "{\"paused\": false, \"cron\": \"0 30 18 ? * MON-FRI\", "
        + "\"timeZone\": \"Europe/London\"}");
    assertFalse(changed.get("paused").asBoolean());
    assertEquals("Europe/London", changed.get("timeZone").asText());
    assertEquals(5, changed.get("nextFirings").size());
    HttpResponse<String> badPatch = deskA.send(deskA.request("/api/v1/schedules/" + id)
        .header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"cron\": \"nope\"}")));
    assertEquals(400, badPatch.statusCode());
    assertEquals("0 30 18 ? * MON-FRI", schedule(deskA, id).get("cron").asText(),
        "a refused change changes nothing");

    assertEquals(204, deskA.send(deskA.request("/api/v1/schedules/" + id).DELETE()).statusCode());
    assertEquals(404, deskA.get("/api/v1/schedules/" + id).statusCode());
    assertFalse(deskA.get("/api/v1/schedules?limit=1000").body().contains(id));
  }

  @Test
  void aTenantNeverSeesAnotherTenantsSchedules() throws Exception {
    String id = create(deskA, "desk-a-only", "0 0 12 * * ?", "skip", QUICK);
    String path = "/api/v1/schedules/" + id;
    assertEquals(404, deskB.get(path).statusCode());
    assertEquals(404, deskB.post(path + "/trigger", "").statusCode());
    assertEquals(404, deskB.send(deskB.request(path).DELETE()).statusCode());
    assertEquals(404, deskB.send(deskB.request(path).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"paused\": true}")))
        .statusCode());
    assertFalse(deskB.get("/api/v1/schedules?limit=1000").body().contains(id));
    assertEquals(403, deskB.get("/api/v1/schedules?tenant=desk-a").statusCode());
    // a viewer reads but does not create or change
    assertEquals(200, viewerA.get(path).statusCode());
    assertEquals(403, viewerA.post(path + "/trigger", "").statusCode());
    assertEquals(403, viewerA.post("/api/v1/schedules", "{}").statusCode());
    assertEquals(200, admin.get(path).statusCode());
    assertTrue(admin.get("/api/v1/schedules?tenant=desk-a&limit=1000").body().contains(id));
    assertEquals(401, new Api(node.httpPort()).get("/api/v1/schedules").statusCode());
    assertFalse(schedule(deskA, id).get("paused").asBoolean(), "desk-b changed nothing");
  }

  @Test
  void theCommandLineCreatesListsPausesResumesTriggersAndDeletes() throws Exception {
    String token = Tokens.token("alice", "desk-a", "submitter");
    String url = "http://127.0.0.1:" + node.httpPort();
    String created = cli("create", TestNodes.projectFile(
        "docs/examples/schedules/eod-risk-weekdays.json").toString(), "--url", url, "--token",
        token);
    JsonNode schedule = Api.JSON.readTree(created);
    String id = schedule.get("id").asText();
    assertEquals("Europe/London", schedule.get("timeZone").asText());
    assertTrue(cli("list", "--url", url, "--token", token).contains(id));
    assertTrue(Api.JSON.readTree(cli("pause", id, "--url", url, "--token", token))
        .get("paused").asBoolean());
    assertFalse(Api.JSON.readTree(cli("resume", id, "--url", url, "--token", token))
        .get("paused").asBoolean());
    JsonNode fired = Api.JSON.readTree(cli("trigger", id, "--url", url, "--token", token));
    String job = fired.get("firings").get(0).get("job").asText();
    assertEquals(id, deskA.awaitJob(job, WAIT, j -> true).get("schedule").asText());
    cli("delete", id, "--url", url, "--token", token);
    assertEquals(404, deskA.get("/api/v1/schedules/" + id).statusCode());
    assertEquals(2, new picocli.CommandLine(new com.calcgrid.Main()).execute("schedule",
        "pause", id, "--url", url, "--token", token), "a refused request exits with 2");
  }

  /** Runs {@code calcgrid schedule ARGS...} in this JVM; returns what it printed. */
  private static String cli(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    String[] all = new String[args.length + 1];
    all[0] = "schedule";
    System.arraycopy(args, 0, all, 1, args.length);
    int code = new picocli.CommandLine(new com.calcgrid.Main())
        .setOut(new java.io.PrintWriter(out, true)).execute(all);
    assertEquals(0, code, String.join(" ", args) + ": " + out);
    return out.toString();
  }

  // ---- helpers ----

  static String create(Api api, String name, String cron, String overlap, String graph,
      String... more) throws Exception {
    return createWithin(api, name, cron, overlap, graph, "PT60S", more);
  }

  /** Creates a schedule with the catch-up window {@code window}; returns its id. */
  static String createWithin(Api api, String name, String cron, String overlap, String graph,
      String window, String... more) throws Exception {
    String body = "{\"name\": \"" + name + "\", \"cron\": \"" + cron + "\", \"overlap\": \""
        + overlap + "\", \"catchUpWindow\": \"" + window + "\", "
        + (more.length > 0 ? more[0] + ", " : "") + "\"graph\": " + graph + "}";
    HttpResponse<String> r = api.post("/api/v1/schedules", body);
    assertEquals(201, r.statusCode(), r.body());
    String id = Api.json(r).get("id").asText();
    assertEquals("/api/v1/schedules/" + id, r.headers().firstValue("Location").orElseThrow());
    return id;
  }

  static JsonNode schedule(Api api, String id) throws Exception {
    HttpResponse<String> r = api.get("/api/v1/schedules/" + id);
    assertEquals(200, r.statusCode(), r.body());
    return Api.json(r);
  }

  static JsonNode patch(Api api, String id, String body) throws Exception {
    HttpResponse<String> r = api.send(api.request("/api/v1/schedules/" + id)
        .header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(200, r.statusCode(), r.body());
    return Api.json(r);
  }

  /** The schedule's jobs from the listing, oldest firing first. */
  static List<JsonNode> jobsOf(Api api, String id) throws Exception {
    HttpResponse<String> r = api.get("/api/v1/jobs?limit=1000&schedule=" + id);
    assertEquals(200, r.statusCode(), r.body());
    List<JsonNode> jobs = new ArrayList<>();
    Api.json(r).get("jobs").forEach(jobs::add);
    jobs.sort(Comparator.comparing(j -> Instant.parse(j.get("scheduledFor").asText())));
    return jobs;
  }

  /** The schedule's jobs once all have ended, oldest firing first. */
  private List<JsonNode> finishedJobsOf(String id) throws Exception {
    return Api.await(() -> jobsOf(deskA, id), WAIT,
        jobs -> jobs.stream().noneMatch(j -> j.get("state").asText().equals("RUNNING")));
  }

  private static void assertNoTwoAtOnce(List<JsonNode> jobs) {
    assertTrue(jobs.size() >= 2, jobs.toString());
    for (int i = 0; i + 1 < jobs.size(); i++) {
      Instant ended = Instant.parse(jobs.get(i).get("finishedAt").asText());
      Instant next = Instant.parse(jobs.get(i + 1).get("submittedAt").asText());
      assertFalse(next.isBefore(ended), "job " + jobs.get(i + 1).get("id") + " started before "
          + jobs.get(i).get("id") + " ended: " + jobs);
    }
  }

  private static Set<String> outcomes(JsonNode schedule) {
    Set<String> out = new HashSet<>();
    schedule.get("lastFirings").forEach(f -> out.add(f.get("outcome").asText()));
    return out;
  }

  private JsonNode assertRefused(String body, String field) throws Exception {
    HttpResponse<String> r = deskA.post("/api/v1/schedules", body);
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("Content-Type")
        .orElseThrow());
    JsonNode problem = Api.json(r);
    assertEquals(field, problem.get("field").asText(), problem.toString());
    assertTrue(problem.get("detail").asText().startsWith(field + ":"), problem.toString());
    assertNotNull(problem.get("type"));
    return problem;
  }
}
