package com.calcgrid.job;

import com.calcgrid.CborSerializable;

/**
 * The firing of a schedule that started a job: shown in the job's view and its row of the
 * listing, and what {@code GET /api/v1/jobs?schedule=ID} filters on.
 *
 * @param schedule the schedule's id
 * @param scheduledFor the firing's instant, epoch milliseconds
 */
public record ScheduledRun(String schedule, long scheduledFor) implements CborSerializable {}
