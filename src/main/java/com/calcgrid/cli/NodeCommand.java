package com.calcgrid.cli;

import com.calcgrid.CalcGridNode;
import com.calcgrid.api.auth.BindPolicy;
import com.calcgrid.store.DatabaseUnusableException;
import com.typesafe.config.ConfigException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code calcgrid node}: runs a node until it is stopped (SIGTERM leaves the cluster cleanly). */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = {"Start a CalcGrid node.",
        "Settings come from the environment: CALCGRID_HTTP_PORT [8080], CALCGRID_DATA_DIR [./data],",
        "CALCGRID_REMOTE_PORT [25520], CALCGRID_MANAGEMENT_PORT [8558], CALCGRID_SLOTS [cores],",
        "CALCGRID_HOST [127.0.0.1], CALCGRID_CONFIG (an overlay file such as conf/postgres.conf).",
        "Authentication: CALCGRID_AUTH_JWKS or CALCGRID_AUTH_HS256_SECRET, CALCGRID_AUTH_ISSUER,",
        "CALCGRID_AUTH_AUDIENCE [calcgrid]. Without it the node listens on loopback only",
        "(see docs/security.md).",
        "Exit codes: 143 after SIGTERM (it leaves the cluster first), 2 refused to start (unsafe or invalid",
        "settings, a database it cannot use: unknown URL, wrong credentials, no answer within",
        "CALCGRID_DB_STARTUP_TIMEOUT), 3 removed from the cluster (downed by the split brain",
        "resolver, or made to leave): start it again and it joins as a new member; 1 other failure."})
public final class NodeCommand implements Callable<Integer> {
  /** Exit code of a node that was removed from the cluster while its process ran on. */
  public static final int REMOVED = 3;

  private static volatile boolean running;
  private static volatile boolean stopping;

  /** True once a node started: main must not exit the JVM then. */
  public static boolean keepsRunning() {
    return running;
  }

  @Override
  public Integer call() throws Exception {
    CalcGridNode node;
    try {
      node = CalcGridNode.start(CalcGridNode.loadConfig(Map.of()));
    } catch (BindPolicy.UnsafeBindException | IllegalArgumentException
        | DatabaseUnusableException e) {
      System.err.println("calcgrid node: " + e.getMessage());
      return 2;
    } catch (ConfigException e) {
      // a setting with a value of the wrong kind, such as CALCGRID_DB_CALL_TIMEOUT=soon
      System.err.println("calcgrid node: invalid setting: " + e.getMessage());
      return 2;
    }
    running = true;
    // A node that left the cluster or was downed stops its actor system; the process follows
    // with a code of its own (a failure to systemd's Restart=on-failure), so that a supervisor
    // (systemd, Kubernetes, Docker) starts a fresh one, which joins as a new member.
    node.system().getWhenTerminated().thenRun(() -> {
      if (!stopping) {
        System.err.println("calcgrid node: this node was removed from the cluster (downed by the "
            + "split brain resolver or an administrator, or made to leave); exiting with code "
            + REMOVED + " so that its supervisor starts a fresh node, which joins again");
        System.exit(REMOVED);
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping = true;
      try {
        node.close();
      } catch (Exception e) {
        // the JVM is going away; nothing left to report to
      }
    }, "calcgrid-shutdown"));
    return 0;
  }
}
