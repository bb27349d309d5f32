package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.Exposition;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.SeedAndChild;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
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
    // nobody is downed while the test looks at the unreachable member
    try (SeedAndChild nodes = SeedAndChild.start(
        Map.of("pekko.cluster.split-brain-resolver.stable-after", "300s"), Map.of(), WAIT)) {
      Api api = nodes.seedApi();
      NodeProcess child = nodes.child;
      String childAddress = nodes.childAddress;
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
