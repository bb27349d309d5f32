package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import com.calcgrid.graph.GraphSpec;
import java.util.List;

/** What a job supervisor persists. Everything else it knows is derived from these on replay. */
public sealed interface JobEvent extends CborSerializable {

  /**
   * The graph as posted; expansion is recomputed from it on every recovery.
   *
   * @param scheduled the schedule's firing that submitted the job; null for other jobs (and in
   *     events written before schedules existed)
   */
  record JobSubmitted(String jobId, GraphSpec graph, String tenant, long submittedAt,
      ScheduledRun scheduled) implements JobEvent {
    public JobSubmitted(String jobId, GraphSpec graph, String tenant, long submittedAt) {
      this(jobId, graph, tenant, submittedAt, null);
    }
  }

  /**
   * Outcomes of task attempts that arrived together, written as one row: under load one write
   * carries hundreds of outcomes.
   */
  record TasksFinished(long at, List<TaskOutcome> outcomes) implements JobEvent {}

  /** The job was cancelled: its unfinished tasks end CANCELLED. */
  record JobCancelled(long at, String reason) implements JobEvent {}

  /**
   * Hand-outs lost with their worker: its node died or left while they ran, or the supervisor
   * recovered while they were {@link TasksDispatched out}. Each task's count of lost workers
   * goes up by one; a task that reaches {@code maxLostWorkers} FAILS (a task that kills its
   * node would otherwise kill one node after another), the others are dispatched again.
   *
   * @param node where they were lost; null when each task's last known node applies
   * @param maxLostWorkers calcgrid.job.max-lost-workers when this was written, so that a
   *     replay reaches the same verdict whatever the setting is then
   */
  record TasksLost(long at, String node, int[] tasks, int maxLostWorkers) implements JobEvent {}

  /**
   * The job went through recovery while running: from now on every hand-out is written
   * ({@link TasksDispatched}) before it is sent, so that the next recovery knows what was out.
   * A supervisor that dies with its node can count a lost worker no other way.
   */
  record DurableDispatchStarted(long at) implements JobEvent {}

  /** Tasks about to be sent to a worker on {@code node}; written only in durable dispatch. */
  record TasksDispatched(long at, String node, int[] tasks) implements JobEvent {}

  /** How one attempt of one task ended. */
  enum Outcome { SUCCEEDED, RETRYING, FAILED }

  /**
   * One attempt's end.
   *
   * @param task the task's index in the compiled graph
   * @param attempt 1-based attempt number
   * @param result the result as JSON text, for SUCCEEDED
   * @param error the error message, for RETRYING and FAILED
   * @param node the address of the node that ran the attempt
   */
  record TaskOutcome(
      int task,
      int attempt,
      Outcome outcome,
      long startedAt,
      long finishedAt,
      String node,
      String result,
      String error) implements CborSerializable {}
}
