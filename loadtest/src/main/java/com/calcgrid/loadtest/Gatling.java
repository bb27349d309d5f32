package com.calcgrid.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs a Gatling simulation in a JVM of its own (the load generator must not share a heap or a
 * JIT with the runner) and reads its global statistics back from the report it writes.
 */
final class Gatling {
  /** Request counts, rate and latency percentiles (ms) over the whole simulation. */
  record Stats(long ok, long ko, double meanPerSecond, long p50, long p95, long p99, long max,
      Path report) {}

  private Gatling() {}

  /** Starts the simulation; {@link #finish} waits for it and reads its report. */
  static Process start(Bench bench, String simulation, Map<String, String> properties)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // what gatling-maven-plugin passes: Gatling's log writer reads String internals
    cmd.addAll(List.of("-Xmx1g", "-XX:MaxInlineLevel=20", "-XX:MaxTrivialSize=12",
        "--add-opens=java.base/java.lang=ALL-UNNAMED"));
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.gatling.app.Gatling",
        "--simulation", "com.calcgrid.loadtest.gatling." + simulation,
        "--results-folder", bench.out().resolve("gatling").toString()));
    String name = simulation.toLowerCase(java.util.Locale.ROOT);
    File log = bench.out().resolve("gatling-" + name + ".log").toFile();
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
  }

  static Stats finish(Bench bench, String simulation, Process p) throws Exception {
    int exit = p.waitFor();
    String prefix = simulation.toLowerCase(java.util.Locale.ROOT);
    Path report;
    try (Stream<Path> s = Files.list(bench.out().resolve("gatling"))) {
      report = s.filter(d -> d.getFileName().toString().startsWith(prefix))
          .max(Comparator.comparing(d -> d.toFile().lastModified()))
          .orElseThrow(() -> new IllegalStateException(simulation + " wrote no report (exit "
              + exit + "); see loadtest/out/gatling-" + prefix + ".log"));
    }
    // js/stats.js: "var stats = { ..., stats: {JSON of the global statistics}, ..."
    String js = Files.readString(report.resolve("js/stats.js"));
    int at = js.indexOf("stats: {");
    if (at < 0) {
      throw new IllegalStateException("no global statistics in " + report);
    }
    JsonNode g = Client.JSON.readTree(js.substring(at + "stats: ".length()));
    return new Stats(g.at("/numberOfRequests/ok").asLong(), g.at("/numberOfRequests/ko").asLong(),
        g.at("/meanNumberOfRequestsPerSecond/total").asDouble(),
        g.at("/percentiles1/total").asLong(), g.at("/percentiles3/total").asLong(),
        g.at("/percentiles4/total").asLong(), g.at("/maxResponseTime/total").asLong(), report);
  }
}
