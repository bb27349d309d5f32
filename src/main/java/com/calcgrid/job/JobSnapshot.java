package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import com.calcgrid.graph.GraphSpec;
import java.util.List;
import java.util.Map;

/**
 * A copy of {@link JobState} for the snapshot store ({@link JobState#snapshot}), taken on the
 * actor's thread so that the store serializes a value nobody mutates. Tasks running at the time
 * are stored as READY.
 *
 * <p>{@code lost}, {@code out}, {@code durableDispatch} and {@code scheduled} came later: a
 * snapshot without them loads as no lost workers, nothing out, ordinary dispatch and no schedule.
 */
public record JobSnapshot(
    String jobId,
    String tenant,
    GraphSpec graph,
    JobStatus status,
    long submittedAt,
    long startedAt,
    long finishedAt,
    String firstError,
    byte[] taskStatus,
    byte[] attempts,
    long[] started,
    long[] finished,
    short[] node,
    byte[][] result,
    List<String> nodes,
    Map<Integer, String> errors,
    int[] remainingDeps,
    int[] unfinished,
    byte[] lost,
    long[] out,
    boolean durableDispatch,
    ScheduledRun scheduled) implements CborSerializable {}
