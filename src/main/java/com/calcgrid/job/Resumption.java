package com.calcgrid.job;

import com.calcgrid.job.JobEvent.DurableDispatchStarted;
import com.calcgrid.job.JobEvent.TasksDispatched;
import com.calcgrid.job.JobEvent.TasksLost;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * How a supervisor resumes its job once it comes back from the journal: on another node after
 * its own died, after a passivation, or after a restart that a failed write caused. What it
 * held in memory before is void, every task that had not finished is queued again (RUNNING is
 * never written: at-least-once), and before anything is handed out it writes what the recovery
 * means for the hand-outs.
 *
 * <p>A hand-out written as out ({@link TasksDispatched}) with no outcome since counts as a lost
 * worker ({@link TasksLost}): its worker died with the supervisor, or at least its report did.
 * So a task that kills whichever node runs it fails after calcgrid.job.max-lost-workers losses
 * even when it takes its supervisor along. From the first recovery on, dispatch is durable
 * ({@link DurableDispatchStarted}): each hand-out is written before it is sent, so that the next
 * recovery can count it.
 */
final class Resumption {
  private final String jobId;
  private final Logger log;
  private final int maxLostWorkers;
  private final HandOuts handOuts;
  private final OutcomeBuffer outcomes;
  private final Retries retries;

  Resumption(String jobId, Logger log, int maxLostWorkers, HandOuts handOuts,
      OutcomeBuffer outcomes, Retries retries) {
    this.jobId = jobId;
    this.log = log;
    this.maxLostWorkers = maxLostWorkers;
    this.handOuts = handOuts;
    this.outcomes = outcomes;
    this.retries = retries;
  }

  /**
   * The state was rebuilt from the journal: forgets the hand-outs, the outcomes waiting for a
   * write and the retries waiting for their backoff of the incarnation before, and, if the job
   * runs, queues every READY task and holds hand-outs until {@link #toWrite} is written.
   *
   * @return true when the job runs: {@link #toWrite} goes before dispatch resumes
   */
  boolean recovered(JobState s) {
    handOuts.reset();
    outcomes.drain();
    retries.clear();
    if (s.isEmpty() || s.status != JobStatus.RUNNING) {
      return false;
    }
    s.rebuildReadyQueue();
    log.info("job {} recovered: {} of {} tasks still to run, {} were out", jobId,
        s.unfinishedTasks(), s.taskCount(), s.writtenOutCount());
    handOuts.hold();
    return true;
  }

  /**
   * What a recovered job writes before it hands anything out again: the start of durable
   * dispatch, the first time, and the loss of every task written as out that has not ended.
   * Empty when there is nothing to write (or the job no longer runs).
   */
  List<JobEvent> toWrite(JobState s, long now) {
    List<JobEvent> events = new ArrayList<>(2);
    if (s.status != JobStatus.RUNNING) {
      return events;
    }
    if (!s.durableDispatch()) {
      events.add(new DurableDispatchStarted(now));
    }
    int[] out = s.outAndUnfinished();
    if (out.length > 0) {
      log.warn("job {}: {} task(s) were out when its supervisor stopped; each counts as a lost"
          + " worker", jobId, out.length);
      events.add(new TasksLost(now, null, out, maxLostWorkers));
    }
    return events;
  }

  /** The loss among what {@link #toWrite} returned, or null. */
  static TasksLost lost(List<JobEvent> events) {
    for (JobEvent e : events) {
      if (e instanceof TasksLost lost) {
        return lost;
      }
    }
    return null;
  }
}
