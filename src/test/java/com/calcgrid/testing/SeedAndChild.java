package com.calcgrid.testing;

import com.calcgrid.CalcGridNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A two-member cluster: a node in this JVM, its own seed, and a node process that joins it, so
 * that a test can pause, kill or down a real member and watch from the other.
 */
public final class SeedAndChild implements AutoCloseable {
  public final CalcGridNode seed;
  public final NodeProcess child;
  /** The child's remoting {@code host:port}, as the cluster routes name a member. */
  public final String childHostPort;
  /** The child's remoting address, {@code pekko://calcgrid@host:port}. */
  public final String childAddress;

  private SeedAndChild(CalcGridNode seed, NodeProcess child, String childHostPort) {
    this.seed = seed;
    this.child = child;
    this.childHostPort = childHostPort;
    this.childAddress = "pekko://calcgrid@" + childHostPort;
  }

  /**
   * @param both settings for both nodes, e.g. the split brain resolver's timing
   * @param seedOnly settings for the seed alone
   */
  public static SeedAndChild start(Map<String, String> both, Map<String, Object> seedOnly,
      Duration wait) throws Exception {
    int remoteSeed = NodeProcess.freePort();
    int remoteChild = NodeProcess.freePort();
    String seedAddress = "pekko://calcgrid@127.0.0.1:" + remoteSeed;
    Map<String, Object> overrides = new HashMap<>(both);
    overrides.putAll(seedOnly);
    overrides.put("pekko.remote.artery.canonical.port", remoteSeed);
    overrides.put("pekko.cluster.seed-nodes", List.of(seedAddress));
    StringBuilder overlay = new StringBuilder("pekko.cluster.seed-nodes = [\"" + seedAddress
        + "\"]\n");
    both.forEach((k, v) -> overlay.append(k).append(" = \"").append(v).append("\"\n"));
    Path file = Files.createTempFile("calcgrid-child-", ".conf");
    Files.writeString(file, overlay);

    CalcGridNode seed = TestNodes.h2(overrides);
    try {
      NodeProcess child = NodeProcess.start(TestNodes.freshDataDir(), Map.of(
          "CALCGRID_REMOTE_PORT", Integer.toString(remoteChild),
          "CALCGRID_CONFIG", file.toString()));
      try {
        child.awaitReady(wait);
      } catch (Exception | AssertionError e) {
        child.close();
        throw e;
      }
      return new SeedAndChild(seed, child, "127.0.0.1:" + remoteChild);
    } catch (Exception | AssertionError e) {
      seed.close();
      throw e;
    }
  }

  public Api seedApi() {
    return new Api(seed.httpPort());
  }

  @Override
  public void close() throws Exception {
    try {
      child.close();
    } finally {
      seed.close();
    }
  }
}
