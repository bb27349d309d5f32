package com.calcgrid.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.TestNodes;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Python SDK's own tests (clients/python/tests, pytest) against a real node started here:
 * Python workers serve functions, a killed worker's tasks finish on another, the client follows
 * a job's events to the end. Skipped, saying why, only when the interpreter lacks pytest or
 * websockets (.ci/run installs Debian's python3-pytest and python3-websockets).
 */
class PythonSdkIT {

  /** Debian's interpreter, where python3-websockets installs; CALCGRID_PYTHON overrides. */
  static String python() {
    String configured = System.getenv("CALCGRID_PYTHON");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    return new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3";
  }

  static boolean hasModules(String python, String... modules) {
    try {
      Process p = new ProcessBuilder(python, "-c", "import " + String.join(", ", modules))
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void theSdkTestsPassAgainstARealNode() throws Exception {
    String python = python();
    Assumptions.assumeTrue(hasModules(python, "websockets", "pytest"),
        python + " lacks websockets or pytest: apt-get install -y python3-websockets"
            + " python3-pytest (.ci/run does)");
    Path sdk = TestNodes.projectFile("clients/python");
    try (CalcGridNode node = TestNodes.h2(Map.of("calcgrid.external-functions", "py.*",
        "calcgrid.gateway.heartbeat-interval", "500ms",
        "calcgrid.gateway.heartbeat-timeout", "3s",
        // the example book that risk.revalue reads (docs/examples/python/book.csv)
        "calcgrid.data-roots", TestNodes.projectFile("docs/examples/python").toString()))) {
      Path log = Files.createTempFile("pytest", ".log");
      ProcessBuilder pb = new ProcessBuilder(List.of(python, "-m", "pytest", "-q", "-p",
          "no:cacheprovider", "tests"))
          .directory(sdk.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("CALCGRID_URL", "http://127.0.0.1:" + node.httpPort());
      pb.environment().put("PYTHONPATH", sdk.resolve("src").toString());
      Process p = pb.start();
      boolean ended = p.waitFor(10, TimeUnit.MINUTES);
      if (!ended) {
        p.destroyForcibly();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      System.out.println(output);
      assertEquals(0, ended ? p.exitValue() : -1, "pytest failed:\n" + output);
    }
  }
}
