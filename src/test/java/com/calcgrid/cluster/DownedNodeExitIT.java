package com.calcgrid.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node process that the cluster downs ends itself with exit code 3 and one line saying why,
 * so that its supervisor (systemd's Restart=on-failure included) starts a fresh one rather than
 * leaving a process that serves nothing.
 */
class DownedNodeExitIT {
  // a child JVM joining on a busy two-core machine has been seen to take over 90 s
  private static final Duration WAIT = Duration.ofSeconds(180);

  @Test
  void aDownedNodeExitsWithCodeThreeAndSaysWhy() throws Exception {
    int remoteA = NodeProcess.freePort();
    int remoteChild = NodeProcess.freePort();
    String seed = "pekko://calcgrid@127.0.0.1:" + remoteA;
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("pekko.remote.artery.canonical.port", remoteA);
    overrides.put("pekko.cluster.seed-nodes", List.of(seed));
    // authentication is off: the loopback rule alone admits the test as administrator
    overrides.put("calcgrid.http.admin-without-auth", true);
    Path overlay = Files.createTempFile("calcgrid-child-", ".conf");
    Files.writeString(overlay, "pekko.cluster.seed-nodes = [\"" + seed + "\"]\n");

    try (CalcGridNode a = TestNodes.h2(overrides);
        NodeProcess child = NodeProcess.start(TestNodes.freshDataDir(), Map.of(
            "CALCGRID_REMOTE_PORT", Integer.toString(remoteChild),
            "CALCGRID_CONFIG", overlay.toString())).awaitReady(WAIT)) {
      Api api = new Api(a.httpPort());
      Api.await(() -> Api.json(api.get("/api/v1/cluster")), WAIT,
          v -> v.path("members").size() == 2);

      HttpResponse<String> down = api.post("/api/v1/cluster/members/127.0.0.1:" + remoteChild
          + "/down", "");
      assertEquals(202, down.statusCode(), down.body());

      assertEquals(3, child.awaitExit(WAIT), child.logTail());
      assertTrue(child.logTail().contains("calcgrid node: this node was removed from the cluster"),
          child.logTail());
      Api.await(() -> Api.json(api.get("/api/v1/cluster")), WAIT,
          v -> v.path("members").size() == 1);
    }
  }
}
