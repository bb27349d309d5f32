package com.calcgrid.calc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.NodeProcess;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A function is served in one place: a node whose CALCGRID_EXTERNAL_FUNCTIONS names a function
 * its JVM provides refuses to start, with exit code 2 and one line naming the function, started
 * as {@code ./calcgrid node} is.
 */
class ExternalFunctionsStartupIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void aPatternThatCoversBuiltInFunctionsIsRefused() throws Exception {
    String line = NodeProcess.refusedStart(
        Map.of("CALCGRID_EXTERNAL_FUNCTIONS", "py.*, util.*"), WAIT);
    assertTrue(line.contains("CALCGRID_EXTERNAL_FUNCTIONS") && line.contains("util.sum")
        && line.contains("served in one place"), line);
  }

  @Test
  void aBuiltInNameListedAsExternalIsRefused() throws Exception {
    String line = NodeProcess.refusedStart(
        Map.of("CALCGRID_EXTERNAL_FUNCTIONS", "risk.var"), WAIT);
    assertTrue(line.contains("risk.var") && !line.contains("util.sum"), line);
  }

  @Test
  void anEntryThatIsNeitherANameNorAPatternIsRefused() throws Exception {
    String line = NodeProcess.refusedStart(
        Map.of("CALCGRID_EXTERNAL_FUNCTIONS", "py.*,py price"), WAIT);
    assertTrue(line.contains("'py price'"), line);
  }
}
