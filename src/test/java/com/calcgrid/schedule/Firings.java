package com.calcgrid.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.testing.Api;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/** What the crash tests wait for and check: firings of a schedule every two seconds. */
final class Firings {
  static final Duration PERIOD = Duration.ofSeconds(2);

  private Firings() {}

  /** Waits (bounded) until {@code offsetMs} after the next firing of an every-2s cron. */
  static void awaitAfterNextFiring(long offsetMs) throws Exception {
    long now = System.currentTimeMillis();
    long next = (now / 2000 + 1) * 2000;
    Instant at = Instant.ofEpochMilli(next + offsetMs);
    Api.await(Instant::now, Duration.ofSeconds(5), t -> !t.isBefore(at));
  }

  /** The firing instants of the schedule's jobs, from the listing, sorted. */
  static List<Instant> times(Api api, String id) throws Exception {
    List<Instant> times = new ArrayList<>();
    for (JsonNode j : ScheduleIT.jobsOf(api, id)) {
      times.add(Instant.parse(j.get("scheduledFor").asText()));
    }
    return times;
  }

  /**
   * Every firing from the first to the last has exactly one job: none doubled, none lost.
   *
   * @param context appended to a failure (node logs)
   */
  static void assertEachFiringOnce(List<Instant> times, String context) {
    assertEquals(times.size(), new HashSet<>(times).size(),
        "a firing ran twice: " + times + context);
    for (int i = 1; i < times.size(); i++) {
      assertEquals(PERIOD, Duration.between(times.get(i - 1), times.get(i)),
          "firings lost between " + times.get(i - 1) + " and " + times.get(i) + ": " + times
              + context);
    }
    assertTrue(times.size() >= 2, times + context);
  }
}
