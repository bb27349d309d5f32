package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.Exposition;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two nodes in this JVM, joined through a seed node on 127.0.0.1 and sharing one H2 database
 * (as nodes share PostgreSQL in production): what {@code /api/v1/cluster}, {@code /metrics} and
 * the management port show, and who may make a member leave. The last test makes node B leave.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterRoutesIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private CalcGridNode a;
  private CalcGridNode b;
  private Api apiA;
  private Api apiB;
  private Api management;
  private String addressA;
  private String addressB;

  @BeforeAll
  void start() throws Exception {
    Path data = TestNodes.freshDataDir();
    int remoteA = NodeProcess.freePort();
    int managementA = NodeProcess.freePort();
    List<String> seeds = List.of("pekko://calcgrid@127.0.0.1:" + remoteA);
    Map<String, Object> first = new HashMap<>();
    first.put("pekko.remote.artery.canonical.port", remoteA);
    first.put("calcgrid.management.port", managementA);
    first.put("pekko.cluster.seed-nodes", seeds);
    first.put("calcgrid.roles", "api,scheduler,worker");
    first.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    // /metrics reads the job counts in the background: often, so the test need not wait long
    first.put("calcgrid.metrics.jobs-refresh", "200ms");
    // authentication is off here: the network rule alone decides who may change membership
    first.put("calcgrid.http.admin-without-auth", true);
    a = TestNodes.start(data, first, null);
    Map<String, Object> second = new HashMap<>();
    second.put("pekko.cluster.seed-nodes", seeds);
    second.put("calcgrid.roles", "api,worker");
    second.put("calcgrid.http.admin-clients", "none");
    second.put("calcgrid.http.admin-without-auth", true);
    second.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    second.put("calcgrid.metrics.jobs-refresh", "200ms");
    b = TestNodes.start(data, second, null);
    apiA = new Api(a.httpPort());
    apiB = new Api(b.httpPort());
    management = new Api(managementA);
    addressA = Cluster.get(a.system()).selfMember().address().toString();
    addressB = Cluster.get(b.system()).selfMember().address().toString();
    for (CalcGridNode n : List.of(a, b)) {
      Api.await(() -> upMembers(n), WAIT, up -> up == 2);
    }
  }

  @AfterAll
  void stop() throws Exception {
    for (CalcGridNode n : new CalcGridNode[] {b, a}) {
      if (n != null) {
        n.close();
      }
    }
  }

  private static long upMembers(CalcGridNode n) {
    long up = 0;
    for (org.apache.pekko.cluster.Member m : Cluster.get(n.system()).state().getMembers()) {
      up += m.status() == MemberStatus.up() ? 1 : 0;
    }
    return up;
  }

  @Test
  @Order(1)
  void showsBothMembersTheirRolesAndTheSlotsOfEachWorker() throws Exception {
    JsonNode view = Api.await(() -> Api.json(apiA.get("/api/v1/cluster")), WAIT,
        // supervisors live on scheduler nodes only: A
        v -> v.path("workers").size() == 2 && v.path("jobs").path("nodes").size() == 1);
    assertEquals(addressA, view.get("self").asText(), view.toString());
    assertEquals("Up", view.get("selfStatus").asText());
    assertEquals(0, view.get("unreachable").size(), view.toString());

    JsonNode members = view.get("members");
    assertEquals(2, members.size(), view.toString());
    Map<String, JsonNode> byAddress = new HashMap<>();
    int oldest = 0;
    int leaders = 0;
    for (JsonNode m : members) {
      byAddress.put(m.get("address").asText(), m);
      assertEquals("Up", m.get("status").asText(), m.toString());
      assertTrue(m.get("reachable").asBoolean(), m.toString());
      oldest += m.get("oldest").asBoolean() ? 1 : 0;
      leaders += m.get("leader").asBoolean() ? 1 : 0;
    }
    assertEquals(1, oldest, view.toString());
    assertEquals(1, leaders, view.toString());
    JsonNode memberA = byAddress.get(addressA);
    JsonNode memberB = byAddress.get(addressB);
    assertEquals(List.of("api", "scheduler", "worker"), texts(memberA.get("roles")));
    assertEquals(List.of("api", "worker"), texts(memberB.get("roles")));
    assertTrue(memberA.get("self").asBoolean());
    assertTrue(memberA.get("oldest").asBoolean(), "A joined first: " + view);
    assertEquals(1, memberA.get("ageRank").asInt(), view.toString());
    assertEquals(2, memberB.get("ageRank").asInt(), view.toString());
    assertEquals(addressA, view.get("oldest").asText());

    List<String> workerAddresses = new ArrayList<>();
    for (JsonNode w : view.get("workers")) {
      workerAddresses.add(w.get("address").asText());
      assertTrue(w.get("error").isNull(), w.toString());
      JsonNode load = w.get("load");
      assertEquals(2, load.get("slots").asInt(), w.toString());
      assertEquals(load.get("slots").asInt() - load.get("busy").asInt(), load.get("free").asInt());
      assertTrue(w.get("node").asText().startsWith("127.0.0.1:"), w.toString());
    }
    assertEquals(List.of(addressA, addressB).stream().sorted().toList(), workerAddresses);

    JsonNode jobs = view.get("jobs");
    assertTrue(jobs.get("error").isNull(), jobs.toString());
    for (JsonNode n : jobs.get("nodes")) {
      assertTrue(byAddress.containsKey(n.get("address").asText()), jobs.toString());
    }

    JsonNode fromB = Api.json(apiB.get("/api/v1/cluster"));
    assertEquals(addressB, fromB.get("self").asText());
    assertEquals(2, fromB.get("members").size());
  }

  @Test
  @Order(2)
  void countsJobSupervisorsPerNodeAndTasksOnTheNodeThatHostsTheJob() throws Exception {
    String id = apiA.submit("""
        {"name": "two-nodes", "tasks": [
          {"id": "x", "fn": "util.sum", "params": {"value": 1},
           "forEach": {"param": "i", "range": [0, 8]}},
          {"id": "total", "fn": "util.sum", "deps": ["x"]}]}""");
    JsonNode job = apiA.awaitFinished(id, WAIT);
    assertEquals("SUCCEEDED", job.get("state").asText(), job.toString());
    int tasks = job.get("taskCount").asInt();

    // a finished supervisor stays in memory for calcgrid.job.idle-after-finish (60 s)
    JsonNode view = Api.await(() -> Api.json(apiA.get("/api/v1/cluster")), WAIT,
        v -> supervisors(v) >= 1);
    assertTrue(view.get("jobs").get("error").isNull(), view.toString());

    double succeeded = 0;
    for (Api api : List.of(apiA, apiB)) {
      // the index learns of the end just after the job, and /metrics reads it a moment later
      Api.await(() -> Exposition.parse(api.get("/metrics").body()), WAIT,
          m -> m.has("calcgrid_jobs") && m.value("calcgrid_jobs", "state", "SUCCEEDED") >= 1);
      HttpResponse<String> r = api.get("/metrics");
      assertEquals(200, r.statusCode());
      Exposition m = Exposition.parse(r.body());
      succeeded += m.value("calcgrid_tasks_succeeded_total");
      assertEquals(2, m.value("pekko_cluster_members", "status", "Up"), r.body());
      assertEquals(0, m.value("pekko_cluster_unreachable_members"));
      assertTrue(m.value("calcgrid_jobs", "state", "SUCCEEDED") >= 1, "one shared index");
    }
    assertEquals(tasks, succeeded, "counted once, on the node that hosts the job's supervisor");
  }

  private static int supervisors(JsonNode view) {
    int n = 0;
    for (JsonNode node : view.path("jobs").path("nodes")) {
      n += node.path("supervisors").asInt();
    }
    return n;
  }

  @Test
  @Order(3)
  void managementPortAnswersReadOnlyAndReportsReadiness() throws Exception {
    HttpResponse<String> members = management.get("/cluster/members");
    assertEquals(200, members.statusCode(), members.body());
    assertEquals(2, Api.json(members).get("members").size(), members.body());
    assertEquals(200, management.get("/cluster/shards/Job").statusCode());
    HttpResponse<String> ready = management.get("/ready");
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals(200, management.get("/alive").statusCode());

    URI memberB = URI.create(management.base() + "/cluster/members/" + addressB);
    HttpResponse<String> put = management.client().send(HttpRequest.newBuilder(memberB)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .PUT(HttpRequest.BodyPublishers.ofString("operation=Leave")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertClientError(put);
    HttpResponse<String> delete = management.client().send(
        HttpRequest.newBuilder(memberB).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertClientError(delete);
    assertEquals(2, upMembers(a), "nobody left through the management port");
    assertEquals(2, upMembers(b));
  }

  private static void assertClientError(HttpResponse<String> r) {
    assertTrue(r.statusCode() == 404 || r.statusCode() == 405,
        r.request().method() + " must not be served: " + r.statusCode() + " " + r.body());
  }

  @Test
  @Order(4)
  void onlyAnAdministratorMayMakeAMemberLeave() throws Exception {
    String encodedA = URLEncoder.encode(addressA, StandardCharsets.UTF_8);
    HttpResponse<String> refused = apiB.post("/api/v1/cluster/members/" + encodedA + "/leave", "");
    assertEquals(403, refused.statusCode(), refused.body());
    assertTrue(refused.headers().firstValue("Content-Type").orElse("")
        .startsWith("application/problem+json"));

    assertEquals(404, apiA.post("/api/v1/cluster/members/127.0.0.1:1/leave", "").statusCode());
    assertEquals(404, apiA.post("/api/v1/cluster/members/" + encodedA + "/explode", "")
        .statusCode());
    assertEquals(405, apiA.get("/api/v1/cluster/members/" + encodedA + "/leave").statusCode());
    assertEquals(2, upMembers(a));

    String encodedB = URLEncoder.encode(addressB, StandardCharsets.UTF_8);
    HttpResponse<String> leave = apiA.post("/api/v1/cluster/members/" + encodedB + "/leave", "");
    assertEquals(202, leave.statusCode(), leave.body());
    assertEquals(addressB, Api.json(leave).get("address").asText());
    JsonNode view = Api.await(() -> Api.json(apiA.get("/api/v1/cluster")), WAIT,
        v -> v.path("members").size() == 1);
    assertEquals(addressA, view.get("members").get(0).get("address").asText());
    // a member that left stops its actor system by itself
    b.system().getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(1, upMembers(a));
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
