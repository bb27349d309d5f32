package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.api.auth.BindPolicy;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without authentication a node will not listen beyond loopback. */
class SafeBindIT {

  @Test
  void anOpenNodeOnANonLoopbackAddressRefusesToStart() {
    BindPolicy.UnsafeBindException e = assertThrows(BindPolicy.UnsafeBindException.class,
        () -> TestNodes.h2(Map.of("calcgrid.host", "0.0.0.0")).close());
    assertTrue(e.getMessage().startsWith("refusing to start: authentication is off"),
        e.getMessage());
    assertTrue(e.getMessage().contains("calcgrid.host (HTTP API) = 0.0.0.0"), e.getMessage());
    assertTrue(e.getMessage().contains("CALCGRID_AUTH_DISABLED_I_UNDERSTAND"), e.getMessage());
  }

  @Test
  void calcgridNodeExitsNonZeroWithTheReason() throws Exception {
    try (NodeProcess node = NodeProcess.start(TestNodes.freshDataDir(),
        Map.of("CALCGRID_HOST", "0.0.0.0"))) {
      assertEquals(2, node.awaitExit(Duration.ofSeconds(60)));
      assertTrue(node.logTail().contains("calcgrid node: refusing to start"), node.logTail());
    }
  }

  @Test
  void incompleteAuthenticationSettingsRefuseToStart() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TestNodes.h2(Map.of("calcgrid.auth.hs256-secret",
            "a-secret-that-is-long-enough-for-hs256")).close());
    assertTrue(e.getMessage().contains("CALCGRID_AUTH_ISSUER"), e.getMessage());
  }
}
