package com.calcgrid.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Three CalcGrid nodes, each a JVM of its own on 127.0.0.1, 127.0.0.2 and 127.0.0.3, sharing one
 * PostgreSQL database, joined through nodes 1 and 2 as seeds. A node can be killed and started
 * again on the same address and ports.
 */
public final class ThreeNodes implements AutoCloseable {
  /** Short enough for a test, long enough not to down a node that a busy CI machine paused. */
  private static final String STABLE_AFTER = "4s";

  private final Postgres.Db db;
  private final String[] roles;
  private final int[] remotePorts = new int[3];
  private final int[] httpPorts = new int[3];
  private final Path[] dataDirs = new Path[3];
  private final NodeProcess[] nodes = new NodeProcess[3];

  private ThreeNodes(Postgres.Db db, String[] roles) throws Exception {
    this.db = db;
    this.roles = roles;
    for (int i = 0; i < 3; i++) {
      remotePorts[i] = NodeProcess.freePort();
      httpPorts[i] = NodeProcess.freePort();
      dataDirs[i] = TestNodes.freshDataDir();
    }
  }

  /** Starts all three; {@code roles[i]} is node i's CALCGRID_ROLES. */
  public static ThreeNodes start(Postgres.Db db, String... roles) throws Exception {
    ThreeNodes c = new ThreeNodes(db, roles);
    try {
      for (int i = 0; i < 3; i++) {
        c.launch(i);
      }
      c.awaitAllReady();
      return c;
    } catch (Exception | AssertionError e) {
      // the caller never gets the cluster to close: stop what was started
      c.close();
      throw e;
    }
  }

  public static String host(int i) {
    return "127.0.0." + (i + 1);
  }

  /** Which node (0 to 2) has this {@code host:port} remoting address, or -1. */
  public int indexOf(String nodeAddress) {
    for (int i = 0; i < 3; i++) {
      if (nodeAddress.equals(host(i) + ":" + remotePorts[i])) {
        return i;
      }
    }
    return -1;
  }

  public NodeProcess node(int i) {
    return nodes[i];
  }

  public Api api(int i) {
    return nodes[i].api();
  }

  public void kill(int i) throws InterruptedException {
    nodes[i].kill();
  }

  /** Starts node i again (after a kill), on the same address, ports and data dir. */
  public NodeProcess launch(int i) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("CALCGRID_HOST", host(i));
    env.put("CALCGRID_HTTP_PORT", Integer.toString(httpPorts[i]));
    env.put("CALCGRID_REMOTE_PORT", Integer.toString(remotePorts[i]));
    env.put("CALCGRID_SEED_NODES", host(0) + ":" + remotePorts[0] + "," + host(1) + ":"
        + remotePorts[1]);
    env.put("CALCGRID_ROLES", roles[i]);
    env.put("CALCGRID_SBR_STABLE_AFTER", STABLE_AFTER);
    env.put("CALCGRID_CONFIG", TestNodes.projectFile("conf/postgres.conf").toString());
    env.put("CALCGRID_DB_URL", db.url());
    env.put("CALCGRID_DB_USER", db.user());
    env.put("CALCGRID_DB_PASSWORD", db.password());
    nodes[i] = NodeProcess.start(dataDirs[i], env);
    return nodes[i];
  }

  public void awaitAllReady() throws Exception {
    for (NodeProcess n : nodes) {
      n.awaitReady(Duration.ofSeconds(120));
    }
  }

  /** Every node's log tail, for a failure message. */
  public String logs() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      b.append("\n---- node ").append(i + 1).append(" (").append(host(i)).append(") ----\n")
          .append(nodes[i] == null ? "(not started)" : nodes[i].logTail());
    }
    return b.toString();
  }

  @Override
  public void close() throws Exception {
    for (NodeProcess n : nodes) {
      if (n != null) {
        n.close();
      }
    }
  }
}
