package com.calcgrid.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.NodeProcess;
import com.calcgrid.testing.TestNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node alone, killed with SIGKILL while a schedule every two seconds fires, once just after a
 * firing came due and once between two firings, and started again on its data: every firing of
 * the whole time, the outages included, has exactly one job.
 */
class ScheduleCrashIT {
  static final Duration WAIT = Duration.ofSeconds(120);

  @Test
  void killedDuringAndBetweenFiringsEveryFiringRunsOnce() throws Exception {
    Path data = TestNodes.freshDataDir();
    Map<String, String> env = Map.of("CALCGRID_HTTP_PORT",
        Integer.toString(NodeProcess.freePort()));
    NodeProcess node = NodeProcess.start(data, env).awaitReady(WAIT);
    try {
      Api api = node.api();
      String id = ScheduleIT.createWithin(api, "crash", "*/2 * * * * ?", "allow", ScheduleIT.QUICK,
          "PT5M");
      Api.await(() -> ScheduleIT.jobsOf(api, id), WAIT, jobs -> jobs.size() >= 3);

      // just after a firing came due: it may be recorded and not submitted, or neither
      Firings.awaitAfterNextFiring(15);
      node.kill();
      node = NodeProcess.start(data, env).awaitReady(WAIT);
      Instant restarted = Instant.now();
      Api.await(() -> Firings.times(api, id), WAIT, t -> !t.isEmpty()
          && t.get(t.size() - 1).isAfter(restarted));

      // between two firings
      Firings.awaitAfterNextFiring(1000);
      node.kill();
      node = NodeProcess.start(data, env).awaitReady(WAIT);
      Instant again = Instant.now();
      Api.await(() -> Firings.times(api, id), WAIT, t -> !t.isEmpty()
          && t.get(t.size() - 1).isAfter(again.plusSeconds(2)));

      ScheduleIT.patch(api, id, "{\"paused\": true}");
      JsonNode settled = Api.await(() -> ScheduleIT.schedule(api, id), WAIT,
          s -> s.get("pending").isEmpty());
      List<Instant> times = Firings.times(api, id);
      Firings.assertEachFiringOnce(times, "\n" + settled + "\n" + node.logTail());
      assertEquals(0, settled.get("counts").get("missed").asInt(),
          "the outages were shorter than the catch-up window: " + settled);
      System.out.printf("schedule across two kill -9: %d firings, each with one job%n",
          times.size());
    } finally {
      node.close();
    }
  }
}
