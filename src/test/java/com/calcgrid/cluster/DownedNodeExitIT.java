package com.calcgrid.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.SeedAndChild;
import java.net.http.HttpResponse;
import java.time.Duration;
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
    // authentication is off: the loopback rule alone admits the test as administrator
    try (SeedAndChild nodes = SeedAndChild.start(Map.of(),
        Map.of("calcgrid.http.admin-without-auth", true), WAIT)) {
      Api api = nodes.seedApi();
      NodeProcess child = nodes.child;
      Api.await(() -> Api.json(api.get("/api/v1/cluster")), WAIT,
          v -> v.path("members").size() == 2);

      HttpResponse<String> down = api.post("/api/v1/cluster/members/" + nodes.childHostPort
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
