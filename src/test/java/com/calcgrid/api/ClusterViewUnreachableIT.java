package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.Exposition;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A member that stops answering (SIGSTOP: its JVM freezes, as in a long GC pause or a hung
 * host): {@code /api/v1/cluster} still answers, lists the member as unreachable with its
 * observer, and shows its worker with {@code "load": null} and an error.
 */
class ClusterViewUnreachableIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void aFrozenMemberIsReportedUnreachableAndItsWorkerWithoutLoad() throws Exception {
    int remoteA = NodeProcess.freePort();
    int remoteChild = NodeProcess.freePort();
    String seed = "pekko://calcgrid@127.0.0.1:" + remoteA;
    String childAddress = "pekko://calcgrid@127.0.0.1:" + remoteChild;
    // nobody is downed while the test looks at the unreachable member
    String stable = "pekko.cluster.split-brain-resolver.stable-after = 300s\n";
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("pekko.remote.artery.canonical.port", remoteA);
    overrides.put("pekko.cluster.seed-nodes", List.of(seed));
    overrides.put("pekko.cluster.split-brain-resolver.stable-after", "300s");
    Path overlay = Files.createTempFile("calcgrid-child-", ".conf");
    Files.writeString(overlay, "pekko.cluster.seed-nodes = [\"" + seed + "\"]\n" + stable);

    try (CalcGridNode a = TestNodes.h2(overrides);
        NodeProcess child = NodeProcess.start(TestNodes.freshDataDir(), Map.of(
            "CALCGRID_REMOTE_PORT", Integer.toString(remoteChild),
            "CALCGRID_CONFIG", overlay.toString())).awaitReady(WAIT)) {
      Api api = new Api(a.httpPort());
      Api.await(() -> Api.json(api.get("/api/v1/cluster")), WAIT,
          v -> v.path("members").size() == 2 && loadOf(v, childAddress) != null);

      child.pause();
      JsonNode view = Api.await(() -> Api.json(api.get("/api/v1/cluster")), WAIT,
          v -> v.path("unreachable").size() == 1 && worker(v, childAddress) != null
              && worker(v, childAddress).path("load").isNull());

      JsonNode unreachable = view.get("unreachable").get(0);
      assertEquals(childAddress, unreachable.get("address").asText(), view.toString());
      assertEquals(view.get("self").asText(), unreachable.get("observedBy").get(0).asText(),
          view.toString());
      for (JsonNode m : view.get("members")) {
        assertEquals(!m.get("address").asText().equals(childAddress),
            m.get("reachable").asBoolean(), m.toString());
      }
      JsonNode frozen = worker(view, childAddress);
      assertTrue(frozen.get("error").asText().startsWith("no answer within"), frozen.toString());
      JsonNode own = worker(view, view.get("self").asText());
      assertEquals(2, own.get("load").get("slots").asInt(), view.toString());

      Exposition m = Exposition.parse(api.get("/metrics").body());
      assertEquals(1, m.value("pekko_cluster_unreachable_members"));
      assertEquals(200, api.get("/health/ready").statusCode(), "this node is still Up");
      child.kill();
    }
  }

  private static JsonNode worker(JsonNode view, String address) {
    for (JsonNode w : view.path("workers")) {
      if (address.equals(w.path("address").asText())) {
        return w;
      }
    }
    return null;
  }

  private static JsonNode loadOf(JsonNode view, String address) {
    JsonNode w = worker(view, address);
    return w == null || w.path("load").isNull() ? null : w.get("load");
  }
}
