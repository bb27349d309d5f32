package com.calcgrid.schedule;

import com.calcgrid.CborSerializable;
import java.time.Instant;
import java.util.List;

/** What a schedule entity persists; its state is derived from these on replay. */
public sealed interface ScheduleEvent extends CborSerializable {

  record ScheduleCreated(String id, String tenant, ScheduleSpec spec, boolean paused, Instant at)
      implements ScheduleEvent {}

  /** New fields; firings are computed by the new ones from {@code at} on. */
  record ScheduleChanged(ScheduleSpec spec, Instant at) implements ScheduleEvent {}

  record SchedulePaused(Instant at) implements ScheduleEvent {}

  /** Firings that fell while paused are neither run nor counted as missed. */
  record ScheduleResumed(Instant at) implements ScheduleEvent {}

  record ScheduleDeleted(Instant at) implements ScheduleEvent {}

  /** Firings asked for explicitly (trigger, backfill), decided in order after the due ones. */
  record FiringsRequested(List<Instant> times, Firing.Kind kind, Instant at)
      implements ScheduleEvent {}

  /**
   * A firing decided to run: written before its job is submitted, so that a crash in between
   * submits it again, under the same job id, on recovery.
   */
  record FiringRecorded(Instant scheduledFor, Firing.Kind kind, String job, Instant at)
      implements ScheduleEvent {}

  /** @param created false when the job already existed (submitted again after a crash) */
  record FiringSubmitted(Instant scheduledFor, String job, boolean created, Instant at)
      implements ScheduleEvent {}

  record FiringBuffered(Instant scheduledFor, Firing.Kind kind, Instant at)
      implements ScheduleEvent {}

  record FiringSkipped(Instant scheduledFor, Firing.Kind kind, String reason, Instant at)
      implements ScheduleEvent {}

  /** A recorded firing whose job the cluster would not take in time. */
  record FiringRefused(Instant scheduledFor, String reason, Instant at) implements ScheduleEvent {}

  /**
   * Scheduled firings older than the catch-up window, from {@code from} to {@code to}.
   *
   * @param atLeast true when there were so many that counting stopped at {@code count}
   */
  record FiringsMissed(Instant from, Instant to, long count, boolean atLeast, Instant at)
      implements ScheduleEvent {}
}
