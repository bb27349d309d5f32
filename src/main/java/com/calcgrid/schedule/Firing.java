package com.calcgrid.schedule;

import com.calcgrid.CborSerializable;
import java.time.Instant;

/**
 * One firing of a schedule and what became of it.
 *
 * @param scheduledFor the firing's instant; with the schedule it names the firing uniquely
 * @param job the job it starts (or started), null when it did not run
 * @param at when the outcome was recorded
 * @param detail why it was skipped or refused, or null
 */
public record Firing(Instant scheduledFor, Kind kind, Outcome outcome, String job, Instant at,
    String detail) implements CborSerializable {

  /** What made the firing. */
  public enum Kind {
    /** The cron expression. */
    SCHEDULED,
    /** {@code POST .../trigger}. */
    MANUAL,
    /** {@code POST .../backfill}. */
    BACKFILL
  }

  /** Where the firing stands. */
  public enum Outcome {
    /** Recorded, and its job being submitted. */
    RECORDED,
    /** Its job was accepted. */
    SUBMITTED,
    /** Waiting for the previous job to end (overlap buffer-one). */
    BUFFERED,
    /** Not run: the previous job still ran (overlap skip, or buffer-one with a full buffer). */
    SKIPPED,
    /** Not run: the cluster refused the job (running-jobs limit, or the graph no longer valid). */
    REFUSED
  }

  Firing with(Outcome outcome, Instant at, String detail) {
    return new Firing(scheduledFor, kind, outcome, job, at, detail);
  }
}
