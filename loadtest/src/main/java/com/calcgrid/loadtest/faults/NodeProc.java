package com.calcgrid.loadtest.faults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A node process in its own network namespace ({@code ip netns exec cgf-nK java -jar
 * target/calcgrid.jar node}), watched the way systemd's {@code Restart=always} watches a
 * service: whenever it exits, it is started again after {@link #RESTART_DELAY}, until the run
 * ends. Its log is appended to across restarts.
 */
final class NodeProc {
  static final Duration RESTART_DELAY = Duration.ofSeconds(2);
  static final List<String> JVM_OPTIONS = List.of("-Xms256m", "-Xmx768m", "-XX:+UseG1GC");

  private final String name;
  private final Path jar;
  private final Path log;
  private final Map<String, String> env;
  private final Consumer<String> events;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
      .build();
  private volatile Process process;
  private volatile boolean supervised = true;
  private volatile int restarts;

  NodeProc(String name, Path jar, Path log, Map<String, String> env, Consumer<String> events) {
    this.name = name;
    this.jar = jar;
    this.log = log;
    this.env = env;
    this.events = events;
  }

  String name() {
    return name;
  }

  String base() {
    return "http://" + Net.ip(name) + ":8080";
  }

  int restarts() {
    return restarts;
  }

  synchronized void start() throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", "cgf-" + name,
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(JVM_OPTIONS);
    cmd.addAll(List.of("-jar", jar.toString(), "node"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    process = p;
    p.onExit().thenRun(() -> exited(p));
  }

  private void exited(Process p) {
    events.accept(name + " exited with code " + p.exitValue());
    if (!supervised || p != process) {
      return;
    }
    try {
      Thread.sleep(RESTART_DELAY.toMillis());
      if (supervised) {
        restarts++;
        events.accept(name + " restarted by the harness's supervisor");
        start();
      }
    } catch (IOException | InterruptedException e) {
      events.accept(name + " could not be restarted: " + e);
    }
  }

  long pid() {
    return process.pid();
  }

  void signal(String sig) throws IOException, InterruptedException {
    Net.exec(List.of("kill", "-" + sig, Long.toString(pid())));
  }

  /** SIGTERM, and waits until the process has gone (the supervisor then starts it again). */
  void terminate() throws IOException, InterruptedException {
    Process p = process;
    signal("TERM");
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }

  boolean ready() {
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (ready()) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(name + " not ready within " + timeout + ":\n" + logTail());
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  Path log() {
    return log;
  }

  /** Ends the watch: an exit from now on is not followed by a restart. */
  void unsupervise() {
    supervised = false;
  }

  /** Ends the watch and the process (SIGCONT first, in case it is paused). */
  void stop() throws InterruptedException {
    supervised = false;
    Process p = process;
    if (p != null && p.isAlive()) {
      try {
        signal("CONT");
      } catch (IOException e) {
        // gone already
      }
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
