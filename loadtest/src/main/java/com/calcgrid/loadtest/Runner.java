package com.calcgrid.loadtest;

import static com.calcgrid.loadtest.Bench.log;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code loadtest/run [--quick] [--only NAME,...]}: runs the benchmarks against real nodes
 * started as processes, then prints one table of figure, target, met, and the ratio to the
 * in-process floor measured in the same run. Results land in loadtest/out.
 */
public final class Runner {
  /** Benchmarks in the order a full run takes them. */
  interface Benchmark {
    void run(Bench bench) throws Exception;
  }

  private static final Map<String, Benchmark> ALL = new LinkedHashMap<>();

  static {
    ALL.put("startup", Startup::run);
    ALL.put("throughput", Throughput::h2);
    ALL.put("postgres", Throughput::postgres);
    ALL.put("million", Million::run);
    ALL.put("workflows", Workflows::run);
    ALL.put("subscribers", Api::subscribers);
    ALL.put("submissions", Api::submissions);
    ALL.put("eod", Eod::run);
    ALL.put("dashboard", Dashboard::run);
    ALL.put("fuzz", Fuzz::run);
    ALL.put("schedules", ScheduleFirings::run);
    ALL.put("workers", Workers::run);
    ALL.put("sharing", Sharing::run);
    ALL.put("reclaim", Reclaim::run);
    ALL.put("faults", Runner::faults);
  }

  private Runner() {}

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Set<String> only = new LinkedHashSet<>();
    Path root = Path.of(".").toAbsolutePath().normalize();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--only" -> only.addAll(Arrays.asList(args[++i].split(",")));
        case "--root" -> root = Path.of(args[++i]).toAbsolutePath().normalize();
        default -> {
          System.err.println("usage: loadtest/run [--quick] [--only "
              + String.join(",", ALL.keySet()) + ",jmh]");
          System.exit(2);
        }
      }
    }
    for (String name : only) {
      if (!ALL.containsKey(name)) {
        System.err.println("unknown benchmark '" + name + "'; known: " + ALL.keySet());
        System.exit(2);
      }
    }
    Bench bench = new Bench(root, root.resolve("loadtest/out"), quick);
    Files.deleteIfExists(bench.out().resolve("throughput.csv"));
    long t0 = System.nanoTime();
    log("CalcGrid benchmarks%s on %d cores, JDK %s; node JVM %s", quick ? " (quick)" : "",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        String.join(" ", Node.JVM_OPTIONS));
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, Benchmark> b : ALL.entrySet()) {
      if (!only.isEmpty() && !only.contains(b.getKey())) {
        continue;
      }
      if (only.isEmpty() && b.getKey().equals("faults")) {
        continue; // root only and about 15 minutes: run when named (--only faults)
      }
      if (quick && b.getKey().equals("million")) {
        bench.add(Row.notRun("1M tasks", "heap, restart, completion", "skipped by --quick"));
        continue;
      }
      if (quick && b.getKey().equals("dashboard")) {
        bench.add(Row.notRun("dashboard: 1M-task job open", "heap, updates/s, node CPU",
            "skipped by --quick"));
        continue;
      }
      log("---- %s ----", b.getKey());
      long t = System.nanoTime();
      try {
        b.getValue().run(bench);
      } catch (Exception e) {
        failures.add(b.getKey() + ": " + e);
        bench.add(Row.notRun(b.getKey(), "-", "failed: " + firstLine(e)));
        e.printStackTrace(System.out);
      }
      log("%s took %.0f s", b.getKey(), (System.nanoTime() - t) / 1e9);
    }
    String table = table(bench.rows());
    System.out.println();
    System.out.println(table);
    Files.writeString(bench.out().resolve("results.md"), table);
    if (!bench.throughputPoints().isEmpty()) {
      Files.writeString(bench.out().resolve("throughput.csv"), "series,tasks,tasks_per_second\n"
          + String.join("\n", bench.throughputPoints()) + "\n");
    }
    log("all done in %.1f min; results in %s", (System.nanoTime() - t0) / 60e9, bench.out());
    deleteQuietly(bench.work());
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  /** Faults under load (root only): see loadtest/faults and docs/reliability.md. */
  private static void faults(Bench bench) throws Exception {
    if (!"root".equals(System.getProperty("user.name"))) {
      bench.add(Row.notRun("faults", "none lost, wrong or doubled",
          "needs root (network namespaces, nft)"));
      return;
    }
    boolean ok = com.calcgrid.loadtest.faults.FaultRun.run(bench.root(), bench.out(),
        bench.quick(), List.of());
    bench.add(new Row("faults", "acknowledged jobs lost, wrong or doubled: "
        + (ok ? "none" : "SOME (see loadtest/out/faults/report.md)"), "none", ok, "-", "-",
        "table in loadtest/out/faults/report.md"));
    if (!ok) {
      throw new IllegalStateException("the fault run's history check failed");
    }
  }

  static String table(List<Row> rows) {
    StringBuilder b = new StringBuilder();
    b.append("| workload | figure | target | met? | floor (same run) | x floor |\n");
    b.append("|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      b.append("| ").append(r.workload()).append(" | ").append(r.figure())
          .append(r.note().isEmpty() ? "" : "; " + r.note()).append(" | ").append(r.target())
          .append(" | ").append(r.metText()).append(" | ").append(r.floor()).append(" | ")
          .append(r.ratio()).append(" |\n");
    }
    return b.toString();
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).replace('|', '/');
  }

  private static void deleteQuietly(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      // scratch space in /tmp
    }
  }
}
