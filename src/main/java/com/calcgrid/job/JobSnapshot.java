package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import com.calcgrid.graph.GraphSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A copy of {@link JobState} for the snapshot store, taken on the actor's thread so that the
 * store serializes a value nobody mutates. Tasks running at the time are stored as READY.
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
    ScheduledRun scheduled) implements CborSerializable {

  static JobSnapshot of(JobState s) {
    byte[] status = s.taskStatus.clone();
    for (int i = 0; i < status.length; i++) {
      if (status[i] == TaskStatus.RUNNING.ordinal()) {
        status[i] = (byte) TaskStatus.READY.ordinal();
      }
    }
    return new JobSnapshot(s.jobId, s.tenant, s.graph.spec(), s.status, s.submittedAt,
        s.startedAt, s.finishedAt, s.firstError, status, s.attempts.clone(), s.started.clone(),
        s.finished.clone(), s.node.clone(), s.result.clone(), List.copyOf(s.nodes),
        new HashMap<>(s.errors), s.remainingDeps.clone(), s.unfinished.clone(), s.lost.clone(),
        s.out.toLongArray(), s.durableDispatch, s.scheduled);
  }
}
