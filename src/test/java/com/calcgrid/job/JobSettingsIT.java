package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Limits that cannot hold refuse the node at start (exit 2, one clear line) instead of
 * dropping worker reports or hand-outs later.
 */
class JobSettingsIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void moreInFlightThanTheStashHoldsRefusesToStart() throws Exception {
    try (NodeProcess node = NodeProcess.start(TestNodes.freshDataDir(),
        Map.of("CALCGRID_MAX_IN_FLIGHT", "16000"))) {
      assertEquals(2, node.awaitExit(WAIT), node.logTail());
      String log = node.logTail();
      assertTrue(log.contains("calcgrid.job.max-in-flight (CALCGRID_MAX_IN_FLIGHT) is 16000")
          && log.contains("pekko.persistence.typed.stash-capacity (16384)"), log);
    }
  }

  @Test
  void inputsLargerThanARemoteFrameRefuseToStart() throws Exception {
    try (NodeProcess node = NodeProcess.start(TestNodes.freshDataDir(),
        Map.of("CALCGRID_MAX_INPUT_BYTES", "16m"))) {
      assertEquals(2, node.awaitExit(WAIT), node.logTail());
      String log = node.logTail();
      assertTrue(log.contains("calcgrid.limits.max-input-bytes (16777216)")
          && log.contains("maximum-large-frame-size"), log);
    }
  }

  @Test
  void aRetentionThatIsNoDurationRefusesToStartWithOneLine() throws Exception {
    String line = NodeProcess.refusedStart(Map.of("CALCGRID_RETENTION", "7x"), WAIT);
    assertTrue(line.contains("calcgrid.retention.keep-finished (CALCGRID_RETENTION)")
        && line.contains("30s, 12h or 7d") && line.contains("'7x'"), line);
  }
}
