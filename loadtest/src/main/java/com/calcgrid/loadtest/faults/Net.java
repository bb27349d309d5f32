package com.calcgrid.loadtest.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The harness's network (loadtest/faults/net): a namespace per node and for PostgreSQL on one
 * bridge, and the faults as nft rules inside them. Members are n1..n9 and pg.
 */
final class Net {
  /** The bridge's address in the root namespace: the clients and the PostgreSQL proxy. */
  static final String HARNESS = "10.77.0.1";

  private final Path script;

  Net(Path root) {
    this.script = root.resolve("loadtest/faults/net");
  }

  static String ip(String member) {
    return member.equals("pg") ? "10.77.0.10" : "10.77.0.1" + member.substring(1);
  }

  /** The member at {@code host} (an address such as 10.77.0.12, optionally with :port). */
  static String member(String host) {
    String h = host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
    return h.equals("10.77.0.10") ? "pg" : "n" + h.substring(h.lastIndexOf('.') + 2);
  }

  void up(int nodes) throws IOException, InterruptedException {
    run("up", Integer.toString(nodes));
  }

  void down() throws IOException, InterruptedException {
    run("down");
  }

  void cut(String a, String b) throws IOException, InterruptedException {
    run("cut", a, b);
  }

  void oneWay(String from, String to) throws IOException, InterruptedException {
    run("oneway", from, to);
  }

  void isolate(String member) throws IOException, InterruptedException {
    run("isolate", member);
  }

  void loss(String member, int percent) throws IOException, InterruptedException {
    run("loss", member, Integer.toString(percent));
  }

  void heal() throws IOException, InterruptedException {
    run("heal");
  }

  static void exec(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + ": no answer within 120 s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
    }
  }

  private void run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(script.toString());
    cmd.addAll(List.of(args));
    exec(cmd);
  }
}
