package com.calcgrid.loadtest.faults;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Faults under load: 3 nodes on PostgreSQL, each in a network namespace of its own, a steady
 * stream of jobs from careful clients, the faults one after another with a recovery window
 * after each, then the history check and the availability table.
 *
 * <pre>loadtest/run --only faults          # every fault, about 15 minutes
 * loadtest/run --quick --only faults  # two faults, the CI run</pre>
 *
 * Needs root (network namespaces, nft) and sends traffic only inside the namespaces it makes.
 * Everything stops by itself: the phases are fixed, submissions are capped, the check is
 * bounded, and a watchdog ends the run past its time limit.
 */
public final class FaultRun {
  /**
   * Jobs offered per second: 2 (120 tasks/s) is well within three nodes of two slots even on a
   * busy two-core machine, so that what the table shows is the faults, not saturation.
   */
  static final double RATE = 2;
  static final Duration WARM_UP = Duration.ofSeconds(20);
  static final Duration BASELINE = Duration.ofSeconds(30);
  static final Duration RECOVERY = Duration.ofSeconds(40);
  static final Duration CHECK_BOUND = Duration.ofSeconds(120);

  /** What a fault may act on. */
  record Cluster(Net net, List<NodeProc> nodes, PgProxy proxy, History history, HttpClient http,
      Path pgScript, Path pgDir) {
    NodeProc node(String name) {
      return nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    void pg(String command) throws IOException, InterruptedException {
      history.event("postgres " + command);
      Net.exec(List.of(pgScript.toString(), command, pgDir.toString()));
    }
  }

  /** A fault as it ran: when it began, when it healed, when its recovery window ended. */
  record Phase(Faults.Fault fault, long startMs, long healMs, long endMs) {}

  private FaultRun() {}

  /** Runs the faults; true when no acknowledged job was lost, wrong or doubled. */
  public static boolean run(Path root, Path out, boolean quick, List<String> only)
      throws Exception {
    return run(root, out, quick, only, RATE);
  }

  /** As above, with {@code rate} submissions offered per second. */
  public static boolean run(Path root, Path out, boolean quick, List<String> only, double rate)
      throws Exception {
    if (!"0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream()
        .readAllBytes()).trim())) {
      throw new IllegalStateException("the fault harness needs root (network namespaces, nft)");
    }
    List<String> names = only.isEmpty()
        ? (quick ? Faults.QUICK : new ArrayList<>(Faults.ALL.keySet())) : only;
    for (String n : names) {
      if (!Faults.ALL.containsKey(n)) {
        throw new IllegalArgumentException("unknown fault '" + n + "'; known: "
            + Faults.ALL.keySet());
      }
    }
    Path dir = Files.createDirectories(out.resolve("faults"));
    Path work = Files.createTempDirectory("calcgrid-faults");
    History history = new History();
    Net net = new Net(root);
    Path pgScript = root.resolve("loadtest/faults/pg");
    Path pgDir = work.resolve("pg");
    List<NodeProc> nodes = new ArrayList<>();
    PgProxy[] proxy = new PgProxy[1];
    Thread cleanup = new Thread(() -> cleanUp(nodes, proxy[0], pgScript, pgDir, net), "cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    long limitMs = (quick ? 6 : 30) * 60_000L + names.size() * 120_000L;
    Load.daemon("watchdog", () -> {
      Load.sleep(limitMs);
      System.out.println("faults: over the time limit of " + limitMs / 60_000 + " min; stopping");
      System.exit(3);
    });
    try {
      history.event("network: " + 3 + " node namespaces and one for PostgreSQL");
      net.up(3);
      Net.exec(List.of(pgScript.toString(), "init", pgDir.toString()));
      proxy[0] = new PgProxy(Net.HARNESS, 15432, new InetSocketAddress(Net.ip("pg"), 5432));
      String seeds = "10.77.0.11:25520,10.77.0.12:25520,10.77.0.13:25520";
      for (int i = 1; i <= 3; i++) {
        String name = "n" + i;
        Map<String, String> env = new HashMap<>();
        env.put("CALCGRID_HOST", Net.ip(name));
        env.put("CALCGRID_HTTP_PORT", "8080");
        env.put("CALCGRID_REMOTE_PORT", "25520");
        env.put("CALCGRID_MANAGEMENT_PORT", "8558");
        env.put("CALCGRID_SEED_NODES", seeds);
        env.put("CALCGRID_DATA_DIR", Files.createDirectories(work.resolve(name)).toString());
        env.put("CALCGRID_SLOTS", "2");
        env.put("CALCGRID_DB_URL", "jdbc:postgresql://" + Net.HARNESS + ":15432/calcgrid");
        env.put("CALCGRID_DB_USER", "postgres");
        env.put("CALCGRID_AUTH_DISABLED_I_UNDERSTAND", "true");
        Path log = dir.resolve(name + ".log");
        Files.deleteIfExists(log);
        nodes.add(new NodeProc(name, root.resolve("target/calcgrid.jar"), log, env,
            history::event));
      }
      // all at once: the first seed forms the cluster, the others join it
      for (NodeProc n : nodes) {
        n.start();
      }
      for (NodeProc n : nodes) {
        n.awaitReady(Duration.ofSeconds(180));
      }
      history.event("cluster ready");

      String runId = "f" + Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
      List<String> bases = nodes.stream().map(NodeProc::base).toList();
      Load load = new Load(history, bases, 42, runId, rate, 20_000);
      Cluster cluster = new Cluster(net, nodes, proxy[0], history, load.http(), pgScript, pgDir);
      load.start(64);
      Duration baseline = quick ? Duration.ofSeconds(10) : BASELINE;
      Duration recovery = quick ? Duration.ofSeconds(25) : RECOVERY;
      // warm-up, not measured: the first jobs allocate shards and wake the JIT
      Thread.sleep(quick ? 10_000 : WARM_UP.toMillis());
      long baselineStart = history.now();
      Thread.sleep(baseline.toMillis());
      long baselineEnd = history.now();
      List<Phase> phases = new ArrayList<>();
      for (String name : names) {
        Faults.Fault f = Faults.ALL.get(name);
        long start = history.now();
        history.event("fault " + name + ": " + f.description());
        f.action().run(cluster);
        long heal = history.now();
        history.event("healed " + name);
        Thread.sleep(recovery.toMillis());
        phases.add(new Phase(f, start, heal, history.now()));
      }
      history.event("stopping the clients");
      load.stop();
      history.event("checking the history");
      Checker checker = new Checker(history, bases, load.http(), runId);
      Checker.Result result = checker.check(CHECK_BOUND,
          nodes.stream().map(NodeProc::log).toList());
      load.closeSubscribers();
      String report = Report.write(dir, history, phases, baselineStart, baselineEnd, result,
          nodes);
      System.out.println(report);
      for (String p : result.problems()) {
        System.out.println("  problem: " + p);
      }
      if (quick && result.journalConflicts() > 0) {
        System.out.println("  warning: " + result.journalConflicts() + " journal sequence"
            + " conflicts on job persistence ids (not failing the quick run; see reliability.md)");
      }
      return quick ? result.clientInvariantsHold() : result.invariantsHold();
    } finally {
      cleanUp(nodes, proxy[0], pgScript, pgDir, net);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  private static synchronized void cleanUp(List<NodeProc> nodes, PgProxy proxy, Path pgScript,
      Path pgDir, Net net) {
    nodes.forEach(NodeProc::unsupervise);
    for (NodeProc n : nodes) {
      try {
        n.stop();
      } catch (Exception e) {
        // carry on with the rest
      }
    }
    try {
      if (proxy != null) {
        proxy.close();
      }
      Net.exec(List.of(pgScript.toString(), "stop", pgDir.toString()));
    } catch (Exception e) {
      // not running
    }
    try {
      net.down();
    } catch (Exception e) {
      System.out.println("faults: could not remove the network: " + e.getMessage());
    }
  }

  /** {@code FaultRun --root DIR [--quick] [--faults a,b]}: the run without the benchmark runner. */
  public static void main(String[] args) throws Exception {
    Path root = Path.of(".").toAbsolutePath().normalize();
    boolean quick = false;
    List<String> only = new ArrayList<>();
    double rate = RATE;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--root" -> root = Path.of(args[++i]).toAbsolutePath().normalize();
        case "--quick" -> quick = true;
        case "--faults" -> only.addAll(List.of(args[++i].split(",")));
        case "--rate" -> rate = Double.parseDouble(args[++i]);
        default -> {
          System.err.println("usage: FaultRun [--root DIR] [--quick] [--rate JOBS_PER_S] [--faults "
              + String.join(",", Faults.ALL.keySet()) + "]");
          System.exit(2);
        }
      }
    }
    boolean ok = run(root, root.resolve("loadtest/out"), quick, only, rate);
    System.exit(ok ? 0 : 1);
  }
}
