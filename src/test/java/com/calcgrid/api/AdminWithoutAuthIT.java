package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * With authentication off and the default settings, nobody may make a member leave or mark it
 * down, not even a client on the node's own host: those need an admin token, and there is none.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminWithoutAuthIT {
  private CalcGridNode node;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    node = TestNodes.h2(Map.of());
    api = new Api(node.httpPort());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  @Test
  void leaveAndDownAreRefusedWithoutATokenEvenFromLoopback() throws Exception {
    Cluster cluster = Cluster.get(node.system());
    Api.await(() -> cluster.selfMember().status(), java.time.Duration.ofSeconds(30),
        s -> s == MemberStatus.up());
    String self = URLEncoder.encode(cluster.selfMember().address().toString(),
        StandardCharsets.UTF_8);
    for (String action : new String[] {"down", "leave"}) {
      HttpResponse<String> r = api.post("/api/v1/cluster/members/" + self + "/" + action, "");
      assertEquals(403, r.statusCode(), r.body());
      assertEquals("application/problem+json", r.headers().firstValue("Content-Type")
          .orElse(""));
      JsonNode problem = Api.json(r);
      assertEquals("admin", problem.get("requiredRole").asText());
      assertTrue(problem.get("detail").asText().contains("CALCGRID_ADMIN_WITHOUT_AUTH"),
          problem.toString());
    }
    // reading the cluster is still open, and the node is still an Up member of it
    JsonNode view = Api.json(api.get("/api/v1/cluster"));
    assertEquals("Up", view.get("selfStatus").asText(), view.toString());
    assertEquals(MemberStatus.up(), cluster.selfMember().status());
    assertEquals(200, api.get("/health/ready").statusCode());
  }
}
