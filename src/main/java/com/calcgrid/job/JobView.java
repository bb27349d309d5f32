package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import java.time.Instant;
import java.util.Map;

/**
 * A job as clients see it.
 *
 * @param counts tasks per state, only the states that have tasks, e.g. {@code {"SUCCEEDED": 12}}
 * @param error the first terminal task error, when the job failed
 * @param supervisor the node whose job supervisor answered ({@code host:port}); it moves when
 *     that node leaves or dies
 * @param schedule the id of the schedule whose firing started the job, or null
 * @param scheduledFor that firing's instant, or null
 * @param waiting why READY tasks wait beyond a free slot ("no worker serves py.price"), or null
 * @param priority the graph's priority class ({@code interactive} or {@code batch})
 * @param deadline the graph's deadline, or null
 * @param projectedFinish when the job will end at the rate its tasks have ended so far, while
 *     it runs; null before the first task has ended
 * @param atRisk it has a deadline and is projected to miss it
 */
public record JobView(
    String id,
    String name,
    String tenant,
    JobStatus state,
    int taskCount,
    Map<String, Integer> counts,
    Instant submittedAt,
    Instant startedAt,
    Instant finishedAt,
    String error,
    String supervisor,
    String schedule,
    Instant scheduledFor,
    String waiting,
    String priority,
    Instant deadline,
    Instant projectedFinish,
    boolean atRisk) implements CborSerializable {}
