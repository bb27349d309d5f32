package com.calcgrid.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.CalcGridNode;
import com.calcgrid.testing.Api;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import com.calcgrid.testing.Tokens;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core
 * ({@code src/test/dashboard/e2e.mjs}) against a cluster of three real nodes (in this JVM, one
 * shared H2 database) and a fourth node with authentication on. The scenarios (submit and watch a
 * job live, a failing task's error, cancel, filters, the cluster's members, sign-in and tenancy,
 * accessibility with axe-core, no console error anywhere) are in the script; this test starts the
 * nodes, runs it, and fails with its output.
 *
 * <p>Needs {@code /usr/bin/chromium} (or {@code CHROMIUM}), {@code node}, and
 * {@code npm ci} in {@code src/test/dashboard}; {@code .ci/run} installs them. Without them the
 * test is skipped, saying which is missing. {@code -Ddashboard.screenshots=docs/dashboard} also
 * writes the screenshots the README shows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Path SCRIPTS = TestNodes.projectFile("src/test/dashboard");

  private final List<CalcGridNode> nodes = new ArrayList<>();
  private CalcGridNode secured;
  private String chromium;

  @BeforeAll
  void start() throws Exception {
    chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    Assumptions.assumeTrue(Files.isExecutable(Path.of(chromium)),
        chromium + " is missing: apt-get install -y chromium (as .ci/run does)");
    Assumptions.assumeTrue(Files.isDirectory(SCRIPTS.resolve("node_modules/playwright-core")),
        "playwright-core is missing: run 'npm ci' in src/test/dashboard (as .ci/run does)");
    Assumptions.assumeTrue(onPath("node"), "node is not on the PATH");

    Path data = TestNodes.freshDataDir();
    int seedPort = NodeProcess.freePort();
    List<String> seeds = List.of("pekko://calcgrid@127.0.0.1:" + seedPort);
    for (int i = 0; i < 3; i++) {
      Map<String, Object> settings = new HashMap<>();
      settings.put("pekko.cluster.seed-nodes", seeds);
      settings.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
      settings.put("calcgrid.roles", "api,scheduler,worker");
      if (i == 0) {
        settings.put("pekko.remote.artery.canonical.port", seedPort);
      }
      nodes.add(TestNodes.start(data, settings, null));
    }
    for (CalcGridNode n : nodes) {
      Api.await(() -> upMembers(n), WAIT, up -> up == 3);
    }
    secured = TestNodes.h2(Tokens.hs256Node());
  }

  @AfterAll
  void stop() throws Exception {
    if (secured != null) {
      secured.close();
    }
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  @Test
  void everyScenarioPassesInChromium() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("CALCGRID_URL", "http://127.0.0.1:" + nodes.get(0).httpPort());
    env.put("CALCGRID_MEMBERS", "3");
    env.put("CALCGRID_AUTH_URL", "http://127.0.0.1:" + secured.httpPort());
    env.put("CALCGRID_TOKEN_A", Tokens.token("alice", "desk-a", "submitter"));
    env.put("CALCGRID_TOKEN_B", Tokens.token("bob", "desk-b", "submitter"));
    env.put("CHROMIUM", chromium);
    String shots = System.getProperty("dashboard.screenshots");
    if (shots != null && !shots.isBlank()) {
      env.put("CALCGRID_SCREENSHOTS", TestNodes.projectFile(shots).toAbsolutePath().toString());
    }
    Path log = Files.createTempFile("dashboard-e2e-", ".log");
    ProcessBuilder pb = new ProcessBuilder("node", "e2e.mjs").directory(SCRIPTS.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean ended = p.waitFor(8, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String out = Files.readString(log);
    System.out.println(out);
    assertTrue(ended, "the browser tests did not end within 8 minutes:\n" + out);
    assertEquals(0, p.exitValue(), "browser scenarios failed:\n" + out);
    assertTrue(out.contains("ok - submit-and-watch-live") && out.contains("ok - cluster-members")
        && out.contains("ok - auth-asks-for-a-token-and-keeps-tenants-apart"), out);
  }

  private static long upMembers(CalcGridNode n) {
    long up = 0;
    for (org.apache.pekko.cluster.Member m : Cluster.get(n.system()).state().getMembers()) {
      up += m.status() == MemberStatus.up() ? 1 : 0;
    }
    return up;
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
