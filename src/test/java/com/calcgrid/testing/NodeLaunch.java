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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One CalcGrid node run as a process of its own, the part that the tests ({@link NodeProcess})
 * and the benchmarks ({@code loadtest}'s {@code Node}, which compiles this file from here)
 * share: the settings of a node on loopback (fresh ports, its data directory, two slots, all in
 * the environment, as an operator sets them), the process started with them (and started again
 * after a kill, on the same ports and data), readiness polled on /health/ready, the tail of its
 * log, SIGKILL and an orderly stop. It uses the JDK alone, so that loadtest can compile it.
 */
public final class NodeLaunch {
  private static final long POLL_NANOS = 50_000_000L;

  private final List<String> command;
  private final Map<String, String> env;
  private final Path log;
  private final String host;
  private final int httpPort;
  private volatile Process process;

  /**
   * @param command the command line that starts a node: java, its options, {@code node}
   * @param extra settings on top of the defaults (CALCGRID_HTTP_PORT, CALCGRID_SLOTS,
   *     CALCGRID_DB_URL...)
   * @param log where the node's output goes, appended to across launches
   */
  public NodeLaunch(List<String> command, Path dataDir, Map<String, String> extra, Path log)
      throws IOException {
    int http = extra.containsKey("CALCGRID_HTTP_PORT")
        ? Integer.parseInt(extra.get("CALCGRID_HTTP_PORT")) : freePort();
    Map<String, String> all = new HashMap<>();
    all.put("CALCGRID_HOST", "127.0.0.1");
    all.put("CALCGRID_HTTP_PORT", Integer.toString(http));
    all.put("CALCGRID_REMOTE_PORT", Integer.toString(freePort()));
    all.put("CALCGRID_MANAGEMENT_PORT", Integer.toString(freePort()));
    all.put("CALCGRID_DATA_DIR", dataDir.toString());
    all.put("CALCGRID_SLOTS", "2");
    all.putAll(extra);
    this.command = List.copyOf(command);
    this.env = Map.copyOf(all);
    this.log = log;
    this.host = all.get("CALCGRID_HOST");
    this.httpPort = http;
  }

  /** This JVM's {@code java}, to start the node with. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Starts the process, or starts it again after it ended: same ports, same data. */
  public NodeLaunch start() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    process = pb.start();
    return this;
  }

  public Process process() {
    return process;
  }

  public String host() {
    return host;
  }

  public int httpPort() {
    return httpPort;
  }

  /**
   * Polls /health/ready, bounded, until it answers 200.
   *
   * @throws IllegalStateException with the log's tail when the node died or never got ready
   */
  public void awaitReady(Duration timeout, int tailLines) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    URI ready = URI.create("http://" + host + ":" + httpPort + "/health/ready");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("node exited with " + process.exitValue() + ":\n"
            + logTail(tailLines));
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(ready)
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
    throw new IllegalStateException("node not ready within " + timeout + ":\n"
        + logTail(tailLines));
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed, no goodbye to the cluster. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, and SIGKILL if the node has not stopped within 30 s. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The last {@code lines} lines of the node's log. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
