package com.calcgrid.job;

import com.calcgrid.job.JobEvent.TaskOutcome;
import com.calcgrid.job.JobUpdate.TaskEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Who follows one job (the event hubs of nodes with WebSocket clients), and what they are told:
 * tasks started, tasks ended, the job finished. Nothing is built when nobody listens.
 */
final class Subscribers {
  private final Set<ActorRef<JobUpdate>> subscribers = new HashSet<>();
  private final JobViews views;

  Subscribers(JobViews views) {
    this.views = views;
  }

  /** @return true if {@code subscriber} is new and should be watched */
  boolean add(ActorRef<JobUpdate> subscriber) {
    return subscribers.add(subscriber);
  }

  void remove(ActorRef<JobUpdate> subscriber) {
    subscribers.remove(subscriber);
  }

  boolean isEmpty() {
    return subscribers.isEmpty();
  }

  /** Tasks handed out just now. */
  void started(JobState s, List<TaskEvent> started) {
    if (!started.isEmpty()) {
      publish(new JobUpdate.Batch(started, views.job(s)));
    }
  }

  /** Outcomes just written. */
  void outcomes(JobState s, List<TaskOutcome> outcomes) {
    if (subscribers.isEmpty()) {
      return;
    }
    List<TaskEvent> events = new ArrayList<>(outcomes.size());
    for (TaskOutcome o : outcomes) {
      events.add(new TaskEvent(o.outcome().name().toLowerCase(Locale.ROOT),
          s.graph.taskId(o.task()), o.attempt(), o.finishedAt(), o.node(), o.error()));
    }
    publish(new JobUpdate.Batch(events, views.job(s)));
  }

  /** The tasks of {@code tasks} that a lost worker failed for good at {@code at}. */
  void lost(JobState s, int[] tasks, long at) {
    if (subscribers.isEmpty()) {
      return;
    }
    List<TaskEvent> events = new ArrayList<>();
    for (int i : tasks) {
      if (s.statusOf(i) == TaskStatus.FAILED && s.finishedAt(i) == at) {
        events.add(new TaskEvent("failed", s.graph.taskId(i), s.attempt(i), at,
            s.nodeName(i), s.error(i)));
      }
    }
    if (!events.isEmpty()) {
      publish(new JobUpdate.Batch(events, views.job(s)));
    }
  }

  void finished(JobState s) {
    publish(new JobUpdate.Finished(views.job(s)));
  }

  private void publish(JobUpdate update) {
    for (ActorRef<JobUpdate> sub : subscribers) {
      sub.tell(update);
    }
  }
}
