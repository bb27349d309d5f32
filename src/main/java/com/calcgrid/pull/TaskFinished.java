package com.calcgrid.pull;

import com.calcgrid.job.JobSupervisor;

/**
 * One attempt ended on a worker. {@code result} is JSON text.
 *
 * @param permanent the attempt failed in a way another attempt would repeat (its result was
 *     over the size limit): the task fails without a retry
 */
public record TaskFinished(int task, int attempt, long dispatchId, boolean succeeded,
    String result, String error, boolean permanent, long startedAt, long finishedAt,
    String node) implements JobSupervisor.Command {

  /** An attempt's end that a retry may change. */
  public TaskFinished(int task, int attempt, long dispatchId, boolean succeeded, String result,
      String error, long startedAt, long finishedAt, String node) {
    this(task, attempt, dispatchId, succeeded, result, error, false, startedAt, finishedAt,
        node);
  }
}
