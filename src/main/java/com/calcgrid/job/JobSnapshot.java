package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import com.calcgrid.graph.GraphSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A copy of {@link JobState} for the snapshot store, taken on the actor's thread so that the
 * store serializes a value nobody mutates. Tasks running at the time are stored as READY.
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
        new HashMap<>(s.errors), s.remainingDeps.clone(), s.unfinished.clone(), s.scheduled);
  }
}
