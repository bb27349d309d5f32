package com.calcgrid.calc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import java.time.Duration;
import java.util.List;
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
    String line = refusedStart(Map.of("CALCGRID_EXTERNAL_FUNCTIONS", "py.*, util.*"));
    assertTrue(line.contains("CALCGRID_EXTERNAL_FUNCTIONS") && line.contains("util.sum")
        && line.contains("served in one place"), line);
  }

  @Test
  void aBuiltInNameListedAsExternalIsRefused() throws Exception {
    String line = refusedStart(Map.of("CALCGRID_EXTERNAL_FUNCTIONS", "risk.var"));
    assertTrue(line.contains("risk.var") && !line.contains("util.sum"), line);
  }

  @Test
  void anEntryThatIsNeitherANameNorAPatternIsRefused() throws Exception {
    String line = refusedStart(Map.of("CALCGRID_EXTERNAL_FUNCTIONS", "py.*,py price"));
    assertTrue(line.contains("'py price'"), line);
  }

  /** Exit code 2, exactly one line from the launcher, no stack trace; returns that line. */
  private static String refusedStart(Map<String, String> env) throws Exception {
    try (NodeProcess node = NodeProcess.start(TestNodes.freshDataDir(), env)) {
      int code = node.awaitExit(WAIT);
      String output = node.logTail();
      assertEquals(2, code, output);
      List<String> lines = output.lines().toList();
      List<String> verdict = lines.stream().filter(l -> l.startsWith("calcgrid node: ")).toList();
      assertEquals(1, verdict.size(), output);
      assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by")
          || l.startsWith("Exception in thread")), "no stack trace: " + output);
      return verdict.get(0);
    }
  }
}
