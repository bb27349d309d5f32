package com.calcgrid.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A CalcGrid node in a JVM of its own, started exactly as {@code ./calcgrid node} starts one
 * (same main class, settings by environment), so that a test can kill -9 it. What it shares with
 * the benchmarks' node is {@link NodeLaunch}.
 */
public final class NodeProcess implements AutoCloseable {
  private static final int TAIL_LINES = 60;

  private final NodeLaunch launch;
  private final Process process;
  /** Kills the process if this JVM ends first. */
  private final Thread reaper;
  public final String host;
  public final int httpPort;

  private NodeProcess(NodeLaunch launch) {
    this.launch = launch;
    this.process = launch.process();
    this.host = launch.host();
    this.httpPort = launch.httpPort();
    // a test JVM that ends (or a test that fails before its try-with-resources holds the node)
    // must not leave node processes running on into the next tests
    this.reaper = new Thread(process::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Starts a node on fresh ports with {@code env} on top of {@link NodeLaunch}'s defaults. */
  public static NodeProcess start(Path dataDir, Map<String, String> env) throws IOException {
    List<String> cmd = List.of(NodeLaunch.java(), "-Xmx512m", "-cp",
        System.getProperty("java.class.path"), "com.calcgrid.Main", "node");
    Path log = Files.createTempFile("calcgrid-node-", ".log");
    return new NodeProcess(new NodeLaunch(cmd, dataDir, env, log).start());
  }

  public static int freePort() throws IOException {
    return NodeLaunch.freePort();
  }

  /** Polls /health/ready, bounded; fails with the node's log if it died or never got ready. */
  public NodeProcess awaitReady(Duration timeout) throws Exception {
    try {
      launch.awaitReady(timeout, TAIL_LINES);
    } catch (IllegalStateException e) {
      throw new AssertionError(e.getMessage());
    }
    return this;
  }

  /** A client of this node's HTTP API. */
  public Api api() {
    return new Api(host, httpPort);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits (bounded) for the process to end by itself; returns its exit code. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("node still running after " + timeout + ":\n" + logTail());
    }
    return process.exitValue();
  }

  /**
   * Starts a node that must refuse to start: exit code 2 within {@code within}, exactly one
   * line from the launcher ({@code calcgrid node: ...}) and no stack trace. Returns that line.
   */
  public static String refusedStart(Map<String, String> env, Duration within) throws Exception {
    try (NodeProcess node = start(TestNodes.freshDataDir(), env)) {
      int code = node.awaitExit(within);
      String output = node.logTail();
      if (code != 2) {
        throw new AssertionError("exit code " + code + ", not 2:\n" + output);
      }
      List<String> lines = output.lines().toList();
      List<String> verdict = lines.stream().filter(l -> l.startsWith("calcgrid node: ")).toList();
      if (verdict.size() != 1) {
        throw new AssertionError("not one launcher line but " + verdict.size() + ":\n" + output);
      }
      if (lines.stream().anyMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by")
          || l.startsWith("Exception in thread"))) {
        throw new AssertionError("a stack trace:\n" + output);
      }
      return verdict.get(0);
    }
  }

  /** SIGKILL: no shutdown hook, no flush, no goodbye to the cluster. */
  public void kill() throws InterruptedException {
    launch.kill();
  }

  /** SIGSTOP: the process freezes, sends no heartbeats and answers nothing, until {@link #resume}. */
  public void pause() throws Exception {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() throws Exception {
    signal("CONT");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
        .inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  public String logTail() {
    return launch.logTail(TAIL_LINES);
  }

  @Override
  public void close() throws InterruptedException {
    launch.stop();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway, on a process already gone
    }
  }
}
