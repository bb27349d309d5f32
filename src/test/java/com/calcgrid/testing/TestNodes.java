package com.calcgrid.testing;

import com.calcgrid.CalcGridNode;
import com.calcgrid.cluster.NodeHealth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Starts real CalcGrid nodes in this JVM: own data dir, ephemeral ports, loopback only. */
public final class TestNodes {
  private TestNodes() {}

  /** A node on the embedded H2 database in a fresh directory. */
  public static CalcGridNode h2(Map<String, Object> extra) throws Exception {
    return start(freshDataDir(), extra, null);
  }

  /** A node on the embedded H2 database in {@code dataDir}. */
  public static CalcGridNode start(Path dataDir, Map<String, Object> extra, String overlay)
      throws Exception {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("calcgrid.host", "127.0.0.1");
    overrides.put("calcgrid.data-dir", dataDir.toString());
    overrides.put("calcgrid.http.port", 0);
    overrides.put("calcgrid.management.port", 0);
    overrides.put("pekko.remote.artery.canonical.port", 0);
    overrides.put("calcgrid.worker.slots", 2);
    overrides.putAll(extra);
    CalcGridNode node = CalcGridNode.start(CalcGridNode.loadConfig(overrides, overlay));
    awaitStorageChecked(node);
    return node;
  }

  /**
   * Waits, bounded, until the node's background storage checks have passed once, as an operator
   * would wait for readiness before sending traffic: right after start the journal probe may not
   * have answered yet, and a test asserting that the node "is still ready" would see that instead
   * of what it tests. Cluster membership is not awaited (a node may wait for seeds started later);
   * storage that never passes is left for the test to see.
   */
  private static void awaitStorageChecked(CalcGridNode node) {
    NodeHealth health = NodeHealth.get(node.system());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!(health.databaseAnswers() && health.journalWrites())
        && System.nanoTime() < deadline) {
      Poll.pause();
    }
  }

  /** A node on a fresh PostgreSQL database (see {@link Postgres}). */
  public static CalcGridNode postgres(Postgres.Db db, Map<String, Object> extra) throws Exception {
    Map<String, Object> overrides = new HashMap<>(extra);
    overrides.put("calcgrid.db.url", db.url());
    overrides.put("calcgrid.db.user", db.user());
    overrides.put("calcgrid.db.password", db.password());
    return start(freshDataDir(), overrides, projectFile("conf/postgres.conf").toString());
  }

  public static Path freshDataDir() throws IOException {
    return Files.createTempDirectory("calcgrid-test");
  }

  /** A file of this repository, found from the working directory Maven runs tests in. */
  public static Path projectFile(String relative) {
    return Path.of(System.getProperty("user.dir")).resolve(relative);
  }
}
