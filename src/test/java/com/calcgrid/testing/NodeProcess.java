package com.calcgrid.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A CalcGrid node in a JVM of its own, started exactly as {@code ./calcgrid node} starts one
 * (same main class, settings by environment), so that a test can kill -9 it.
 */
public final class NodeProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  /** Kills the process if this JVM ends first. */
  private final Thread reaper;
  public final String host;
  public final int httpPort;

  private NodeProcess(Process process, Path log, String host, int httpPort) {
    this.process = process;
    this.log = log;
    this.host = host;
    this.httpPort = httpPort;
    // a test JVM that ends (or a test that fails before its try-with-resources holds the node)
    // must not leave node processes running on into the next tests
    this.reaper = new Thread(process::destroyForcibly);
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Starts a node on fresh ports with {@code env} on top of the defaults below. */
  public static NodeProcess start(Path dataDir, Map<String, String> env) throws IOException {
    int http = env.containsKey("CALCGRID_HTTP_PORT")
        ? Integer.parseInt(env.get("CALCGRID_HTTP_PORT")) : freePort();
    Map<String, String> all = new HashMap<>();
    all.put("CALCGRID_HOST", "127.0.0.1");
    all.put("CALCGRID_HTTP_PORT", Integer.toString(http));
    all.put("CALCGRID_REMOTE_PORT", Integer.toString(freePort()));
    all.put("CALCGRID_MANAGEMENT_PORT", Integer.toString(freePort()));
    all.put("CALCGRID_DATA_DIR", dataDir.toString());
    all.put("CALCGRID_SLOTS", "2");
    all.putAll(env);
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), "com.calcgrid.Main", "node"));
    Path log = Files.createTempFile("calcgrid-node-", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(all);
    return new NodeProcess(pb.start(), log, all.get("CALCGRID_HOST"), http);
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Polls /health/ready, bounded; fails with the node's log if it died or never got ready. */
  public NodeProcess awaitReady(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("node exited with " + process.exitValue() + ":\n" + logTail());
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://" + host + ":" + httpPort + "/health/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return this;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Poll.pause();
    }
    throw new AssertionError("node not ready within " + timeout + ":\n" + logTail());
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
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
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
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway, on a process already gone
    }
  }
}
