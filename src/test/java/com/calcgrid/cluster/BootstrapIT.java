package com.calcgrid.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code CALCGRID_DISCOVERY=kubernetes}: the node does not form a cluster of its own but lets
 * Cluster Bootstrap find its peers. Kubernetes' API is not here, so the test swaps only the
 * discovery method for a static list of contact points: everything else is the real path.
 */
class BootstrapIT {

  @Test
  void aNodeWithBootstrapDiscoveryFormsItsClusterThroughContactPoints() throws Exception {
    int management = NodeProcess.freePort();
    Map<String, Object> settings = Map.of(
        "calcgrid.discovery", "kubernetes",
        "calcgrid.management.port", management,
        "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method", "config",
        "pekko.management.cluster.bootstrap.contact-point-discovery.service-name", "calcgrid",
        "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr", 1,
        "pekko.management.cluster.bootstrap.contact-point-discovery.stable-margin", "1s",
        "pekko.discovery.config.services.calcgrid.endpoints",
        List.of(Map.of("host", "127.0.0.1", "port", management)));
    try (CalcGridNode node = TestNodes.start(TestNodes.freshDataDir(), settings, null)) {
      Api api = new Api(node.httpPort());
      Api.await(() -> api.get("/health/ready").statusCode(), Duration.ofSeconds(60),
          status -> status == 200);
      String job = api.submit("{\"tasks\": [{\"id\": \"a\", \"fn\": \"util.sum\", \"params\": {\"value\": 3}}]}");
      assertEquals("SUCCEEDED", api.awaitFinished(job, Duration.ofSeconds(60)).get("state").asText());
    }
  }

  @Test
  void anUnknownDiscoveryIsRefusedWithTheSettingNamed() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> TestNodes.start(TestNodes.freshDataDir(),
            Map.of("calcgrid.discovery", "dns"), null));
    assertEquals(true, e.getMessage().contains("CALCGRID_DISCOVERY"), e.getMessage());
  }
}
