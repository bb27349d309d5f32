package com.calcgrid.schedule;

import com.calcgrid.CborSerializable;
import java.time.Duration;
import java.time.Instant;

/**
 * What a schedule runs and when; every field is checked before it reaches the entity
 * ({@link ScheduleRequest}).
 *
 * @param graph the graph as JSON text, validated; it is validated again at each firing, so a
 *     firing whose function has since been removed is refused, not run
 * @param catchUpWindow firings missed by less than this (after an outage) still run
 * @param startAt no firing before this, or null
 * @param endAt no firing after this, or null
 */
public record ScheduleSpec(String name, String cron, String timeZone, Overlap overlap,
    Duration catchUpWindow, String graph, Instant startAt, Instant endAt)
    implements CborSerializable {

  /** The firing times; the cron expression and zone were checked on the way in. */
  public CronSchedule schedule() {
    return CronSchedule.of(cron, timeZone);
  }
}
