package com.calcgrid.schedule;

import com.calcgrid.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A schedule as clients see it, without the states of its jobs (the route adds those from the
 * job index).
 *
 * @param graph the graph as JSON text
 * @param nextFirings the next scheduled firings (none while paused)
 * @param pending firings recorded whose job is being submitted
 * @param buffered the firing waiting for the previous job, or null
 * @param lastFirings the latest firings that ran, were skipped or refused, newest first
 * @param missed the latest ranges of firings missed beyond the catch-up window, newest first
 * @param node the node hosting the schedule ({@code host:port}); it moves when that node is lost
 */
public record ScheduleView(String id, String tenant, String name, String cron, String timeZone,
    String overlap, String catchUpWindow, Instant startAt, Instant endAt, boolean paused,
    Instant createdAt, Instant updatedAt, String graph, List<Instant> nextFirings,
    List<Firing> pending, Firing buffered, List<Firing> lastFirings, List<Missed> missed,
    Counts counts, String node) implements CborSerializable {

  /** Scheduled firings older than the catch-up window when they came due. */
  public record Missed(Instant from, Instant to, long count, boolean atLeast, Instant recordedAt)
      implements CborSerializable {}

  /** Firings over the schedule's life: jobs started, firings skipped, missed or refused. */
  public record Counts(long fired, long skipped, long missed) implements CborSerializable {}
}
