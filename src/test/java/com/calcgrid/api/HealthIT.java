package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ready means joined: a node whose seed node never answers is alive but not ready, on the API
 * port and on the management port alike.
 */
class HealthIT {

  @Test
  void aNodeThatHasNotJoinedIsAliveButNotReady() throws Exception {
    int management = NodeProcess.freePort();
    String nobody = "pekko://calcgrid@127.0.0.1:" + NodeProcess.freePort();
    try (CalcGridNode node = TestNodes.h2(Map.of("pekko.cluster.seed-nodes", List.of(nobody),
        "calcgrid.management.port", management))) {
      Api api = new Api(node.httpPort());
      assertEquals(200, api.get("/health/alive").statusCode());
      HttpResponse<String> ready = api.get("/health/ready");
      assertEquals(503, ready.statusCode(), ready.body());
      JsonNode body = Api.json(ready);
      assertEquals("DOWN", body.get("status").asText());
      assertEquals("UP", body.get("database").asText(), "the database is fine: " + body);

      Api mgmt = new Api(management);
      assertEquals(200, mgmt.get("/alive").statusCode());
      HttpResponse<String> notReady = mgmt.get("/ready");
      // pekko-management answers a failed check with 500
      assertEquals(500, notReady.statusCode(), notReady.body());
      assertTrue(notReady.body().contains("cluster"), notReady.body());
    }
  }
}
