package com.calcgrid.loadtest.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The faults, each of which injects itself, holds, and heals before it returns. Durations are
 * longer than the split-brain resolver's {@code stable-after} (20 s) where the fault is meant to
 * get a node downed.
 */
final class Faults {
  /** One fault; {@code majorityHealthy} marks those the 95%-within-2-s goal applies to. */
  record Fault(String name, String description, boolean majorityHealthy, Action action) {}

  interface Action {
    void run(FaultRun.Cluster c) throws Exception;
  }

  static final Duration HOLD = Duration.ofSeconds(30);
  static final Duration PAUSE = Duration.ofSeconds(35);

  static final Map<String, Fault> ALL = new LinkedHashMap<>();

  private static void add(String name, String description, boolean majorityHealthy, Action a) {
    ALL.put(name, new Fault(name, description, majorityHealthy, a));
  }

  static {
    add("partition-minority", "n3 cut from the other nodes for 30 s", true, c -> {
      c.net().isolate("n3");
      hold(HOLD);
      c.net().heal();
    });
    add("partition-supervisor", "the node hosting a running job's supervisor cut off for 30 s",
        true, c -> {
          String member = supervisorOfLatestJob(c);
          c.history().event("the latest job's supervisor is on " + member);
          c.net().isolate(member);
          hold(HOLD);
          c.net().heal();
        });
    add("one-way", "n2's packets to n1 dropped for 30 s (n1's still reach n2)", true, c -> {
      c.net().oneWay("n2", "n1");
      hold(HOLD);
      c.net().heal();
    });
    add("pause", "n3 stopped with SIGSTOP for 35 s (past stable-after), then SIGCONT", true, c -> {
      c.node("n3").signal("STOP");
      hold(PAUSE);
      c.node("n3").signal("CONT");
    });
    add("kill", "n2 killed with SIGKILL, restarted 2 s later", true, c -> {
      c.node("n2").signal("KILL");
      c.node("n2").awaitReady(Duration.ofSeconds(120));
    });
    add("rolling-restart", "every node in turn: SIGTERM, restart, ready", true, c -> {
      for (NodeProc n : c.nodes()) {
        n.terminate();
        n.awaitReady(Duration.ofSeconds(120));
      }
    });
    add("pg-crash", "PostgreSQL stopped with -m immediate, started again at once", false, c -> {
      c.pg("crash");
      c.pg("start");
    });
    add("pg-stop", "PostgreSQL stopped for 30 s", false, c -> {
      c.pg("stop");
      hold(HOLD);
      c.pg("start");
    });
    add("pg-slow", "PostgreSQL 200 ms away (100 ms each way) for 30 s", false, c -> {
      c.proxy().delay(100);
      hold(HOLD);
      c.proxy().delay(0);
    });
    add("loss", "5% of remoting packets dropped on every node for 30 s", true, c -> {
      for (NodeProc n : c.nodes()) {
        c.net().loss(n.name(), 5);
      }
      hold(HOLD);
      c.net().heal();
    });
  }

  /** The two faults of the quick (CI) run. */
  static final List<String> QUICK = List.of("partition-minority", "kill");

  private Faults() {}

  private static void hold(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }

  /** The member whose supervisor answers for the newest acknowledged job (n1 if none). */
  private static String supervisorOfLatestJob(FaultRun.Cluster c) throws Exception {
    List<History.Submission> all = c.history().submissions();
    for (int i = all.size() - 1; i >= 0; i--) {
      History.Submission s = all.get(i);
      if (s.acknowledged()) {
        HttpResponse<String> r = c.http().send(HttpRequest.newBuilder(
            URI.create(c.nodes().get(0).base() + "/api/v1/jobs/" + s.jobId))
            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode j = Graphs.JSON.readTree(r.body());
        String sup = j.path("supervisor").asText("");
        if (!sup.isEmpty()) {
          return Net.member(sup);
        }
      }
    }
    return "n1";
  }
}
