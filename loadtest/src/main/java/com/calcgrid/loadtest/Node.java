package com.calcgrid.loadtest;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A CalcGrid node in a process of its own, started as an operator starts one:
 * {@code java -jar target/calcgrid.jar node} with its settings in the environment. It can be
 * killed with SIGKILL and started again on the same ports and data directory.
 */
final class Node implements AutoCloseable {
  /** What the node runs with; the heap is fixed so heap figures compare between runs. */
  static final List<String> JVM_OPTIONS = List.of("-Xms2g", "-Xmx2g", "-XX:+UseG1GC");

  private final Path jar;
  private final Path log;
  private final Map<String, String> env;
  private final int httpPort;
  /** {@code ./calcgrid node} (its java, flags and class-data archive) instead of java -jar. */
  private final boolean launcher;
  private Process process;
  private long launchedAt;

  private Node(Path jar, Path log, Map<String, String> env, int httpPort, boolean launcher) {
    this.jar = jar;
    this.log = log;
    this.env = env;
    this.httpPort = httpPort;
    this.launcher = launcher;
  }

  /**
   * A node on fresh loopback ports with its data in {@code dataDir}; {@code extra} adds or
   * overrides settings (CALCGRID_SLOTS, CALCGRID_CONFIG, CALCGRID_DB_URL...).
   */
  static Node start(Bench bench, String name, Map<String, String> extra) throws IOException {
    return start(bench, name, extra, false);
  }

  /**
   * As a new user starts one: {@code ./calcgrid node} with the launcher's defaults (the java it
   * picks, its flags, its class-data archive); {@code extra} may set CALCGRID_JAVA,
   * CALCGRID_CDS=off and the like. The log is appended to, not replaced.
   */
  static Node launch(Bench bench, String name, Map<String, String> extra) throws IOException {
    return start(bench, name, extra, true);
  }

  private static Node start(Bench bench, String name, Map<String, String> extra,
      boolean launcher) throws IOException {
    Path dataDir = Files.createTempDirectory(bench.work(), name + "-data");
    Map<String, String> env = new HashMap<>();
    int http = freePort();
    env.put("CALCGRID_HOST", "127.0.0.1");
    env.put("CALCGRID_HTTP_PORT", Integer.toString(http));
    env.put("CALCGRID_REMOTE_PORT", Integer.toString(freePort()));
    env.put("CALCGRID_MANAGEMENT_PORT", Integer.toString(freePort()));
    env.put("CALCGRID_DATA_DIR", dataDir.toString());
    env.put("CALCGRID_SLOTS", "2");
    env.putAll(extra);
    Node node = new Node(bench.root().resolve("target/calcgrid.jar"),
        bench.out().resolve(name + "-node.log"), env, http, launcher);
    node.launch();
    return node;
  }

  /** Starts the process (again, after a kill): same ports, same data. */
  void launch() throws IOException {
    List<String> cmd = new ArrayList<>();
    if (launcher) {
      ProcessBuilder pb = new ProcessBuilder("bash",
          jar.getParent().getParent().resolve("calcgrid").toString(), "node")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().putAll(env);
      launchedAt = System.nanoTime();
      process = pb.start();
      return;
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_OPTIONS);
    // e.g. -Dcalcgrid.bench.node-jvm=-XX:StartFlightRecording=filename=node.jfr to profile a run
    String more = System.getProperty("calcgrid.bench.node-jvm", "").trim();
    if (!more.isEmpty()) {
      cmd.addAll(List.of(more.split("\\s+")));
    }
    cmd.addAll(List.of("-jar", jar.toString(), "node"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    launchedAt = System.nanoTime();
    process = pb.start();
  }

  /** When the process was last started, on System.nanoTime's clock. */
  long launchedAt() {
    return launchedAt;
  }

  Client client() {
    return new Client("http://127.0.0.1:" + httpPort);
  }

  int httpPort() {
    return httpPort;
  }

  long pid() {
    return process.pid();
  }

  /** CPU time the node's process has used so far (user + system), from /proc. */
  double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // fields 14 and 15 of /proc/PID/stat (utime, stime), counted after the command name
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  /** Polls /health/ready until the node answers UP; fails with the log tail otherwise. */
  Node awaitReady(Duration timeout) throws Exception {
    Client c = client();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("node exited with " + process.exitValue() + ":\n"
            + logTail());
      }
      if (c.ready()) {
        return this;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("node not ready within " + timeout + ":\n" + logTail());
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * Bytes of live objects on the node's heap: {@code jcmd GC.class_histogram} runs a full GC
   * first and ends with the total of what survived it.
   */
  long liveHeapBytes() throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.class_histogram")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(120, TimeUnit.SECONDS);
    for (String line : out.split("\n")) {
      String l = line.trim();
      if (l.startsWith("Total")) {
        String[] parts = l.split("\\s+");
        return Long.parseLong(parts[2]);
      }
    }
    throw new IllegalStateException("no total in the class histogram of " + pid() + ":\n"
        + out.substring(0, Math.min(out.length(), 2000)));
  }

  /** The top of the class histogram, for saying what fills the heap. */
  String histogramTop(int lines) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.class_histogram")
        .redirectErrorStream(true).start();
    String[] out = new String(p.getInputStream().readAllBytes()).split("\n");
    p.waitFor(120, TimeUnit.SECONDS);
    return String.join("\n", List.of(out).subList(0, Math.min(out.length, lines + 3)));
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
