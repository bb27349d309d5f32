package com.calcgrid.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.calcgrid.testing.Postgres;
import com.calcgrid.testing.ThreeNodes;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Three nodes as separate JVMs against one PostgreSQL. The node hosting a schedule every two
 * seconds is killed with SIGKILL just after a firing came due; later the schedule's next host is
 * killed between two firings. Nobody asks the schedule anything meanwhile (only the job listing
 * is read): it must carry on by itself on a surviving node, catch up what fell in the outage,
 * and every firing of the whole time must have exactly one job.
 */
class ScheduleNodeLossIT {
  static final Duration WAIT = Duration.ofSeconds(120);
  static final String ALL = "api,scheduler,worker";

  @Test
  void theScheduleMovesWhenItsNodeDiesAndNoFiringIsLostOrDoubled() throws Exception {
    try (ThreeNodes cluster = ThreeNodes.start(Postgres.freshDatabase(), ALL, ALL, ALL)) {
      String id = ScheduleIT.createWithin(cluster.api(0), "node-loss", "*/2 * * * * ?", "allow",
          ScheduleIT.QUICK, "PT5M");
      Api.await(() -> ScheduleIT.jobsOf(cluster.api(0), id), WAIT, jobs -> jobs.size() >= 3);

      int first = hostOf(cluster, id);
      Firings.awaitAfterNextFiring(15);
      cluster.kill(first);
      Api survivor = cluster.api((first + 1) % 3);
      Instant killed = Instant.now();
      Api.await(() -> Firings.times(survivor, id), WAIT,
          t -> t.get(t.size() - 1).isAfter(killed.plusSeconds(4)));
      int second = hostOf(cluster, id);
      assertNotEquals(first, second, "the schedule moved off the dead node");
      cluster.launch(first).awaitReady(WAIT);

      Firings.awaitAfterNextFiring(1000);
      cluster.kill(second);
      Api other = cluster.api(second == first ? (first + 1) % 3 : 3 - first - second);
      Instant killedAgain = Instant.now();
      Api.await(() -> Firings.times(other, id), WAIT,
          t -> t.get(t.size() - 1).isAfter(killedAgain.plusSeconds(4)));

      ScheduleIT.patch(other, id, "{\"paused\": true}");
      JsonNode settled = Api.await(() -> ScheduleIT.schedule(other, id), WAIT,
          s -> s.get("pending").isEmpty());
      List<Instant> times = Firings.times(other, id);
      Firings.assertEachFiringOnce(times, "\n" + settled + cluster.logs());
      assertEquals(0, settled.get("counts").get("missed").asInt(), settled.toString());
      assertTrue(Duration.between(times.get(0), times.get(times.size() - 1)).toSeconds() > 10);
      System.out.printf("schedule across two node losses: %d firings, each with one job%n",
          times.size());
    }
  }

  /** The node (0 to 2) hosting the schedule, as its view says, asked through any live node. */
  private static int hostOf(ThreeNodes cluster, String id) throws Exception {
    JsonNode view = Api.await(() -> {
      for (int i = 0; i < 3; i++) {
        if (cluster.node(i).isAlive()) {
          java.net.http.HttpResponse<String> r = cluster.api(i).get("/api/v1/schedules/" + id);
          if (r.statusCode() == 200) {
            return Api.json(r);
          }
        }
      }
      return null;
    }, WAIT, v -> v != null && cluster.indexOf(v.get("node").asText()) >= 0
        && cluster.node(cluster.indexOf(v.get("node").asText())).isAlive());
    return cluster.indexOf(view.get("node").asText());
  }
}
