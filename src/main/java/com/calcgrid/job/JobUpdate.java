package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What a job supervisor tells its subscribers (the WebSocket streams). */
public sealed interface JobUpdate extends CborSerializable {

  /**
   * The job as it is when the subscription starts. Always the first update, and sent again when
   * the job's supervisor moved to another node (its node died): subscribers watch
   * {@code supervisor} and subscribe again when it stops before the job ended.
   */
  record Snapshot(JobView job, ActorRef<JobSupervisor.Command> supervisor)
      implements JobUpdate {}

  /** Task events that happened together, then the job's counts after them. */
  record Batch(List<TaskEvent> events, JobView progress) implements JobUpdate {}

  /** The job ended; the last update a subscriber receives. */
  record Finished(JobView job) implements JobUpdate {}

  /** There is no such job. */
  record NotFound(String jobId) implements JobUpdate {}

  /** One task event: {@code started}, {@code succeeded}, {@code retrying} or {@code failed}. */
  record TaskEvent(String type, String taskId, int attempt, long at, String node, String error)
      implements CborSerializable {}
}
