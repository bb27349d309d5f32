package com.calcgrid.loadtest;

import com.calcgrid.testing.NodeLaunch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A CalcGrid node in a process of its own, started as an operator starts one:
 * {@code java -jar target/calcgrid.jar node} with its settings in the environment. It can be
 * killed with SIGKILL and started again on the same ports and data directory. The settings, the
 * process, readiness and stopping are the tests' {@link NodeLaunch}; this adds the jar, a fixed
 * heap, and the CPU and heap figures a benchmark reads.
 */
final class Node implements AutoCloseable {
  /** What the node runs with; the heap is fixed so heap figures compare between runs. */
  static final List<String> JVM_OPTIONS = List.of("-Xms2g", "-Xmx2g", "-XX:+UseG1GC");

  private static final int TAIL_LINES = 40;

  private final NodeLaunch launch;
  private long launchedAt;

  private Node(NodeLaunch launch) {
    this.launch = launch;
  }

  /**
   * A node on fresh loopback ports with its data in a fresh directory; {@code extra} adds or
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
    if (launcher) {
      Node node = new Node(new NodeLaunch(List.of("bash",
          bench.root().resolve("calcgrid").toString(), "node"), dataDir, extra,
          bench.out().resolve(name + "-node.log")));
      node.launch();
      return node;
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(NodeLaunch.java());
    cmd.addAll(JVM_OPTIONS);
    // e.g. -Dcalcgrid.bench.node-jvm=-XX:StartFlightRecording=filename=node.jfr to profile a run
    String more = System.getProperty("calcgrid.bench.node-jvm", "").trim();
    if (!more.isEmpty()) {
      cmd.addAll(List.of(more.split("\\s+")));
    }
    cmd.addAll(List.of("-jar", bench.root().resolve("target/calcgrid.jar").toString(), "node"));
    Node node = new Node(new NodeLaunch(cmd, dataDir, extra,
        bench.out().resolve(name + "-node.log")));
    node.launch();
    return node;
  }

  /** Starts the process (again, after a kill): same ports, same data. */
  void launch() throws IOException {
    launchedAt = System.nanoTime();
    launch.start();
  }

  /** When the process was last started, on System.nanoTime's clock. */
  long launchedAt() {
    return launchedAt;
  }

  Client client() {
    return new Client("http://" + launch.host() + ":" + launch.httpPort());
  }

  int httpPort() {
    return launch.httpPort();
  }

  long pid() {
    return launch.process().pid();
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
    launch.awaitReady(timeout, TAIL_LINES);
    return this;
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  void kill() throws InterruptedException {
    launch.kill();
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
    return launch.logTail(TAIL_LINES);
  }

  @Override
  public void close() throws InterruptedException {
    launch.stop();
  }
}
