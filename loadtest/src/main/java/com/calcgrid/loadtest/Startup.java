package com.calcgrid.loadtest;

import static com.calcgrid.loadtest.Bench.fmt;
import static com.calcgrid.loadtest.Bench.log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fresh node, as users meet it most (a {@code calcgrid run}, a new pod, a restart after a
 * deploy): started by {@code ./calcgrid node} with the launcher's defaults, how soon it is
 * ready, and how its first jobs compare with the fourth of the same on the same node. The other
 * benchmarks warm their nodes first and start them with {@code java -jar}; this one does not.
 * Every figure is a ratio within this run: the launcher's default against JDK 17 without a
 * class-data archive (what the launcher did before it made one), the first job against the
 * fourth.
 */
final class Startup {
  /** How the node is started: extra environment for ./calcgrid. */
  private record Launch(String name, Map<String, String> env) {}

  private Startup() {}

  static void run(Bench bench) throws Exception {
    String jdk17 = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Launch launcher = new Launch("./calcgrid node (defaults)", Map.of());
    Launch cds17 = new Launch("JDK " + Runtime.version().feature() + " + archive",
        Map.of("CALCGRID_JAVA", jdk17));
    Launch plain17 = new Launch("JDK " + Runtime.version().feature() + ", no archive",
        Map.of("CALCGRID_JAVA", jdk17, "CALCGRID_CDS", "off"));
    ready(bench, List.of(launcher, cds17, plain17));
    firstJobs(bench, launcher, plain17);
  }

  /** Launches each way in turn, a few rounds; wall and CPU seconds until /health/ready. */
  private static void ready(Bench bench, List<Launch> launches) throws Exception {
    // the first start of each way records its archive (once per build): not what is measured
    for (Launch l : launches) {
      double[] first = launchOnce(bench, l);
      log("first start, %s: ready after %.2f s (with the archive's recording, if it was made"
          + " now)", l.name(), first[0]);
    }
    int rounds = bench.quick() ? 2 : 5;
    Map<Launch, double[][]> seen = new LinkedHashMap<>();
    for (Launch l : launches) {
      seen.put(l, new double[2][rounds]);
    }
    for (int r = 0; r < rounds; r++) {
      for (Launch l : launches) {
        double[] t = launchOnce(bench, l);
        seen.get(l)[0][r] = t[0];
        seen.get(l)[1][r] = t[1];
        log("%s: ready after %.2f s, %.2f s of CPU", l.name(), t[0], t[1]);
      }
    }
    Launch baseline = launches.get(launches.size() - 1);
    double baseWall = Throughput.median(seen.get(baseline)[0]);
    double baseCpu = Throughput.median(seen.get(baseline)[1]);
    for (Launch l : launches) {
      double wall = Throughput.median(seen.get(l)[0]);
      double cpu = Throughput.median(seen.get(l)[1]);
      boolean isBase = l == baseline;
      bench.add(new Row("ready after launch: " + l.name(), fmt("%.2f s (CPU %.2f s), median of %d",
          wall, cpu, rounds), isBase ? "(baseline)" : "<= 3 s (stretch 1.5 s)",
          isBase ? null : wall <= 3.0, "-", "-", isBase ? "" : fmt(
              "%.2fx the wall time and %.2fx the CPU of %s in the same run", wall / baseWall,
              cpu / baseCpu, baseline.name())));
    }
  }

  /** Wall seconds from the launch to /health/ready, and the node's CPU seconds by then. */
  private static double[] launchOnce(Bench bench, Launch l) throws Exception {
    try (Node node = Node.launch(bench, "startup", l.env())) {
      node.awaitReady(Duration.ofMinutes(5));
      double wall = (System.nanoTime() - node.launchedAt()) / 1e9;
      return new double[] {wall, node.cpuSeconds()};
    }
  }

  /**
   * The 100k fan-out and the 10k chain as the first job of a fresh node and as its fourth, each
   * on a node of its own; for the launcher's defaults and for the baseline.
   */
  private static void firstJobs(Bench bench, Launch launcher, Launch baseline) throws Exception {
    List<Launch> launches = bench.quick() ? List.of(launcher) : List.of(launcher, baseline);
    for (Launch l : launches) {
      double[] fan = runFour(bench, l, Graphs.fanOut(100_000));
      int tasks = Graphs.fanOut(100_000).floor().n;
      double first = tasks / fan[0];
      double fourth = tasks / fan[3];
      bench.add(new Row("first 100k fan-out on a fresh node: " + l.name(), fmt(
          "%,.0f tasks/s first, %,.0f fourth: %.2f of the fourth", first, fourth, first / fourth),
          ">= 0.8 of the fourth", first / fourth >= 0.8, "-", "-", ""));
      double[] chain = runFour(bench, l, Graphs.chain(10_000));
      double firstStep = chain[0] * 1000 / 10_000;
      double fourthStep = chain[3] * 1000 / 10_000;
      bench.add(new Row("first 10k chain on a fresh node: " + l.name(), fmt(
          "%.3f ms/step first, %.3f fourth: %.2fx the fourth", firstStep, fourthStep,
          firstStep / fourthStep), "<= 1.25x the fourth", firstStep / fourthStep <= 1.25, "-",
          "-", ""));
    }
  }

  /** A fresh node, the workload four times one after the other: seconds of each run. */
  private static double[] runFour(Bench bench, Launch l, Graphs.Workload w) throws Exception {
    long expected = Floor.run(w.floor(), 2).results()[w.floor().n - 1];
    try (Node node = Node.launch(bench, "startup-jobs", l.env())) {
      node.awaitReady(Duration.ofMinutes(5));
      List<Double> seconds = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Throughput.Run run = Throughput.run(node.client(), w);
        if (run.sinkResult() != expected) {
          throw new IllegalStateException(w.name() + " computed " + run.sinkResult() + ", not "
              + expected);
        }
        seconds.add(run.seconds());
        log("%s, %s, run %d: %.2f s", l.name(), w.name(), i + 1, run.seconds());
      }
      return seconds.stream().mapToDouble(Double::doubleValue).toArray();
    }
  }
}
