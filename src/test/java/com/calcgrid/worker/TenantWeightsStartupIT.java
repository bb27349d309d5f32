package com.calcgrid.worker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.NodeProcess;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A malformed CALCGRID_TENANT_WEIGHTS stops the node before it starts, naming the entry. */
class TenantWeightsStartupIT {
  @Test
  void aWeightThatIsNotANumberIsRefused() throws Exception {
    String line = NodeProcess.refusedStart(
        Map.of("CALCGRID_TENANT_WEIGHTS", "alpha=3,beta=lots"), Duration.ofSeconds(90));
    assertTrue(line.contains("CALCGRID_TENANT_WEIGHTS") && line.contains("'beta'"), line);
  }
}
