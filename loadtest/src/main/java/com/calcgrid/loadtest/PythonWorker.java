package com.calcgrid.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Python worker process as a quant starts one: {@code python3 -m calcgrid worker} with the
 * SDK from clients/python/src and the benchmark's own functions module. It can be killed with
 * SIGKILL.
 */
final class PythonWorker implements AutoCloseable {
  /** The functions the benchmarks run. */
  private static final String MODULE = """
      import time

      import calcgrid


      @calcgrid.fn("py.noop")
      def noop(task):
          return task.params["value"]


      @calcgrid.fn("py.sleep")
      def sleep(task):
          time.sleep(task.params["ms"] / 1000)
          return task.params["value"]
      """;

  /** Debian's interpreter, which has python3-websockets, rather than whatever is on PATH. */
  private static final String PYTHON =
      Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

  private final Process process;
  final String name;

  private PythonWorker(Process process, String name) {
    this.process = process;
    this.name = name;
  }

  /** Starts a worker with {@code slots} threads serving py.noop and py.sleep to the node. */
  static PythonWorker start(Bench bench, Node node, String name, int slots) throws IOException {
    Path dir = bench.work().resolve("python");
    Files.createDirectories(dir);
    Path module = dir.resolve("bench_functions.py");
    if (!Files.exists(module)) {
      Files.writeString(module, MODULE);
    }
    ProcessBuilder pb = new ProcessBuilder(List.of(PYTHON, "-m", "calcgrid", "worker",
        "--url", "http://127.0.0.1:" + node.httpPort(), "--slots", Integer.toString(slots),
        "--name", name, "bench_functions"))
        .directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(
            bench.out().resolve("workers-" + name + ".log").toFile()));
    pb.environment().put("PYTHONPATH", bench.root().resolve("clients/python/src") + ":" + dir);
    return new PythonWorker(pb.start(), name);
  }

  /**
   * Waits until the node lists {@code count} external workers whose names start with
   * {@code prefix}.
   */
  static void awaitConnected(Client c, String prefix, int count, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    while (System.nanoTime() < deadline) {
      seen = 0;
      for (var w : Client.JSON.readTree(c.get("/api/v1/cluster").body()).path("workers")) {
        if (w.path("external").asText().startsWith(prefix)) {
          seen++;
        }
      }
      if (seen >= count) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(seen + " of " + count + " workers '" + prefix
        + "*' connected within " + timeout);
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL: the process gets no chance to say goodbye. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
