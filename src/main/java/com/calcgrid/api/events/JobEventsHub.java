package com.calcgrid.api.events;

import com.calcgrid.api.Json;
import com.calcgrid.job.JobSupervisor;
import com.calcgrid.job.JobUpdate;
import com.calcgrid.job.JobView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Every WebSocket client of one job on this node. It is the job supervisor's only subscriber
 * from this node, renders each update to JSON once, and hands the same text to every client's
 * {@link JobEventsOutbox}: a thousand clients cost one message from the supervisor and one
 * rendering, not a thousand.
 *
 * <p>Task events and progress are gathered for up to {@code window} and sent as one
 * {@code tasks} frame and one {@code progress} frame; {@code finished} goes out at once.
 */
final class JobEventsHub extends AbstractBehavior<JobEventsHub.Command> {

  /**
   * What the hub handles. The supervisor's {@link JobUpdate}s arrive as {@link Update}: the
   * hub's own reference is the subscriber, so the supervisor watches the hub itself.
   */
  sealed interface Command {}

  /** An update from the job's supervisor. */
  private record Update(JobUpdate update) implements Command {}

  /** A client of this job; the reply carries the job, or null when there is no such job. */
  record Join(JobEventsOutbox outbox, ActorRef<Joined> replyTo) implements Command {}

  /** @param job as the client's snapshot shows it, or null when there is no such job */
  record Joined(JobView job) {}

  /** A client's socket closed, or it was refused. */
  record Leave(JobEventsOutbox outbox) implements Command {}

  private enum Flush implements Command { INSTANCE }

  private enum Resubscribe implements Command { INSTANCE }

  /** The supervisor this hub follows stopped before the job ended. */
  private record SupervisorMoved() implements Command {}

  /** Events one {@code tasks} frame carries at most: a frame is written and read whole. */
  static final int MAX_FRAME_EVENTS = 1000;

  private static final Duration RESUBSCRIBE_EVERY = Duration.ofSeconds(1);

  private final EntityRef<JobSupervisor.Command> job;
  private final Duration window;
  private final String jobId;
  private final ActorRef<JobEventsHubs.Command> owner;
  private final TimerScheduler<Command> timers;
  private final ActorRef<JobUpdate> self;
  private final Set<JobEventsOutbox> outboxes = new LinkedHashSet<>();
  private final List<Join> waiting = new ArrayList<>();
  private final List<JobUpdate.TaskEvent> events = new ArrayList<>();
  private JobView pendingProgress;
  /** The job as of the last flush: what a new client's snapshot shows. */
  private JobView view;
  private String snapshotText;
  private long seq;
  private long joins;
  /** The final frame once the job ended (or does not exist). */
  private String last;
  private ActorRef<JobSupervisor.Command> watched;

  /**
   * @param owner told whenever the hub has no client left, with the number of joins it has
   *     seen, so that it can stop the hub unless a join is on its way
   */
  static Behavior<Object> create(String jobId, EntityRef<JobSupervisor.Command> job,
      Duration window, ActorRef<JobEventsHubs.Command> owner) {
    Behavior<Command> hub = Behaviors.setup(ctx -> Behaviors.withTimers(
        t -> new JobEventsHub(ctx, t, jobId, job, window, owner)));
    return Behaviors.transformMessages(Object.class, hub, pf -> pf
        .match(Command.class, c -> c)
        .match(JobUpdate.class, Update::new));
  }

  private JobEventsHub(ActorContext<Command> ctx, TimerScheduler<Command> timers, String jobId,
      EntityRef<JobSupervisor.Command> job, Duration window,
      ActorRef<JobEventsHubs.Command> owner) {
    super(ctx);
    this.jobId = jobId;
    this.job = job;
    this.window = window;
    this.owner = owner;
    this.timers = timers;
    this.self = ctx.getSelf().<Object>unsafeUpcast().narrow();
    job.tell(new JobSupervisor.Subscribe(self));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Join.class, this::onJoin)
        .onMessage(Leave.class, this::onLeave)
        .onMessage(Update.class, u -> onUpdate(u.update()))
        .onMessageEquals(Flush.INSTANCE, this::flush)
        .onMessage(SupervisorMoved.class, m -> onSupervisorMoved())
        .onMessageEquals(Resubscribe.INSTANCE, () -> {
          job.tell(new JobSupervisor.Subscribe(self));
          return this;
        })
        .onSignal(PostStop.class, s -> {
          if (last == null) {
            job.tell(new JobSupervisor.Unsubscribe(self));
          }
          return this;
        })
        .build();
  }

  private Behavior<Command> onUpdate(JobUpdate update) {
    if (update instanceof JobUpdate.Snapshot s) {
      return onSnapshot(s);
    } else if (update instanceof JobUpdate.Batch b) {
      return onBatch(b);
    } else if (update instanceof JobUpdate.Finished f) {
      return onFinished(f);
    } else {
      JobUpdate.NotFound n = (JobUpdate.NotFound) update;
      return end(null, Json.text(Map.of("type", "not-found", "jobId", n.jobId())));
    }
  }

  private Behavior<Command> onJoin(Join j) {
    joins++;
    if (view == null && last == null) {
      waiting.add(j);
    } else {
      admit(j);
    }
    return this;
  }

  private void admit(Join j) {
    if (view == null) {
      j.replyTo().tell(new Joined(null));
      return;
    }
    j.outbox().snapshot(snapshot(), seq);
    if (last != null) {
      j.outbox().finish(last, seq);
    } else {
      outboxes.add(j.outbox());
    }
    j.replyTo().tell(new Joined(view));
  }

  private Behavior<Command> onLeave(Leave l) {
    outboxes.remove(l.outbox());
    waiting.removeIf(j -> j.outbox() == l.outbox());
    return checkDrained();
  }

  private Behavior<Command> onSnapshot(JobUpdate.Snapshot s) {
    timers.cancel(Resubscribe.INSTANCE);
    if (last != null) {
      return this;
    }
    if (!s.supervisor().equals(watched)) {
      watched = s.supervisor();
      getContext().watchWith(watched, new SupervisorMoved());
    }
    boolean first = view == null;
    flush();
    view = s.job();
    snapshotText = null;
    if (first) {
      waiting.forEach(this::admit);
      waiting.clear();
    } else {
      // the job's supervisor moved: clients carry on from a fresh snapshot
      for (JobEventsOutbox o : outboxes) {
        o.snapshot(snapshot(), seq);
      }
    }
    return this;
  }

  private Behavior<Command> onBatch(JobUpdate.Batch b) {
    if (last != null || view == null) {
      return this;
    }
    events.addAll(b.events());
    pendingProgress = b.progress();
    if (events.size() >= MAX_FRAME_EVENTS || window.isZero()) {
      return flush();
    }
    if (!timers.isTimerActive(Flush.INSTANCE)) {
      timers.startSingleTimer(Flush.INSTANCE, window);
    }
    return this;
  }

  /** Sends what the window gathered: one {@code tasks} frame, then one {@code progress}. */
  private Behavior<Command> flush() {
    timers.cancel(Flush.INSTANCE);
    if (events.isEmpty() && pendingProgress == null) {
      return this;
    }
    seq++;
    for (int from = 0; from < events.size(); from += MAX_FRAME_EVENTS) {
      List<JobUpdate.TaskEvent> part =
          events.subList(from, Math.min(events.size(), from + MAX_FRAME_EVENTS));
      String text = tasks(part);
      for (JobEventsOutbox o : outboxes) {
        o.tasks(text, part.size(), seq);
      }
    }
    events.clear();
    if (pendingProgress != null) {
      view = pendingProgress;
      snapshotText = null;
      String open = progressOpen(pendingProgress);
      for (JobEventsOutbox o : outboxes) {
        o.progress(open, seq);
      }
      pendingProgress = null;
    }
    return this;
  }

  private Behavior<Command> onFinished(JobUpdate.Finished f) {
    if (last != null) {
      return this;
    }
    flush();
    job.tell(new JobSupervisor.Unsubscribe(self));
    return end(f.job(), message("finished", f.job()));
  }

  /** The job ended or does not exist: every client gets {@code text} last. */
  private Behavior<Command> end(JobView finalView, String text) {
    timers.cancel(Resubscribe.INSTANCE);
    if (watched != null) {
      getContext().unwatch(watched);
      watched = null;
    }
    last = text;
    view = finalView;
    snapshotText = null;
    for (JobEventsOutbox o : outboxes) {
      o.finish(text, seq);
    }
    outboxes.clear();
    waiting.forEach(this::admit);
    waiting.clear();
    return checkDrained();
  }

  private Behavior<Command> onSupervisorMoved() {
    if (last != null) {
      return this;
    }
    // its node died or it restarted elsewhere: the job's new supervisor sends a snapshot
    getContext().getLog().info("job supervisor {} stopped before the job ended; "
        + "following the job to its new supervisor", watched);
    watched = null;
    // until sharding has moved the job, a subscription may still go to the dead node
    timers.startTimerWithFixedDelay(Resubscribe.INSTANCE, Duration.ZERO, RESUBSCRIBE_EVERY);
    return this;
  }

  private Behavior<Command> checkDrained() {
    if (outboxes.isEmpty() && waiting.isEmpty()) {
      owner.tell(new JobEventsHubs.Drained(jobId, getContext().getSelf(), joins));
    }
    return this;
  }

  private String snapshot() {
    if (snapshotText == null) {
      snapshotText = message("snapshot", view);
    }
    return snapshotText;
  }

  private static String tasks(List<JobUpdate.TaskEvent> events) {
    List<Map<String, Object>> list = new ArrayList<>(events.size());
    for (JobUpdate.TaskEvent e : events) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("event", e.type());
      m.put("taskId", e.taskId());
      m.put("attempt", e.attempt());
      m.put("at", Instant.ofEpochMilli(e.at()));
      m.put("node", e.node());
      if (e.error() != null) {
        m.put("error", e.error());
      }
      list.add(m);
    }
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("type", "tasks");
    frame.put("events", list);
    return Json.text(frame);
  }

  /** Progress without its closing brace: each client appends its own drop count, if any. */
  private static String progressOpen(JobView v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "progress");
    m.put("state", v.state());
    m.put("taskCount", v.taskCount());
    m.put("counts", v.counts());
    String text = Json.text(m);
    return text.substring(0, text.length() - 1);
  }

  private static String message(String type, JobView job) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    m.put("job", job);
    return Json.text(m);
  }
}
