package com.calcgrid.api;

import com.calcgrid.job.JobSupervisor;
import com.calcgrid.job.JobUpdate;
import com.calcgrid.job.JobView;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.BoundedSourceQueue;

/**
 * One WebSocket client of one job: subscribes to the job's supervisor and writes its updates as
 * JSON text messages into a bounded queue that the socket drains.
 *
 * <p>A client that reads slower than the job runs must not grow the server's memory. When the
 * queue is full, task events are dropped (and counted), and only the latest progress is kept and
 * sent once there is room again; the final {@code finished} message is always delivered.
 */
final class JobEventsSubscriber extends AbstractBehavior<Object> {

  /** The socket closed. */
  enum ClientGone { INSTANCE }

  private enum Retry { INSTANCE }

  /** The supervisor this client follows stopped before the job ended. */
  private record SupervisorMoved() {}

  private enum Resubscribe { INSTANCE }

  private static final Duration RESUBSCRIBE_EVERY = Duration.ofSeconds(1);

  private static final Duration RETRY_EVERY = Duration.ofMillis(50);

  private final EntityRef<JobSupervisor.Command> job;
  private final BoundedSourceQueue<Message> out;
  private final TimerScheduler<Object> timers;
  private final ActorRef<JobUpdate> self;
  private long dropped;
  private String pendingProgress;
  private String pendingFinal;
  private ActorRef<JobSupervisor.Command> watched;

  static Behavior<Object> create(EntityRef<JobSupervisor.Command> job,
      BoundedSourceQueue<Message> out) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(t -> new JobEventsSubscriber(ctx, t, job, out)));
  }

  private JobEventsSubscriber(ActorContext<Object> ctx, TimerScheduler<Object> timers,
      EntityRef<JobSupervisor.Command> job, BoundedSourceQueue<Message> out) {
    super(ctx);
    this.job = job;
    this.out = out;
    this.timers = timers;
    this.self = ctx.getSelf().narrow();
    job.tell(new JobSupervisor.Subscribe(self));
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(JobUpdate.Snapshot.class, this::onSnapshot)
        .onMessage(SupervisorMoved.class, m -> {
          if (pendingFinal != null) {
            return this;
          }
          // its node died or it restarted elsewhere: the job's new supervisor sends a snapshot
          getContext().getLog().info("job supervisor {} stopped before the job ended; "
              + "following the job to its new supervisor", watched);
          watched = null;
          // until sharding has moved the job, a subscription may still go to the dead node
          timers.startTimerWithFixedDelay(Resubscribe.INSTANCE, Duration.ZERO, RESUBSCRIBE_EVERY);
          return this;
        })
        .onMessageEquals(Resubscribe.INSTANCE, () -> {
          job.tell(new JobSupervisor.Subscribe(self));
          return this;
        })
        .onMessage(JobUpdate.Batch.class, this::onBatch)
        .onMessage(JobUpdate.Finished.class, this::onFinished)
        .onMessage(JobUpdate.NotFound.class, n -> {
          pendingFinal = Json.text(Map.of("type", "not-found", "jobId", n.jobId()));
          return flushPending();
        })
        .onMessageEquals(Retry.INSTANCE, this::flushPending)
        .onMessageEquals(ClientGone.INSTANCE, this::onClientGone)
        .build();
  }

  private Behavior<Object> onSnapshot(JobUpdate.Snapshot s) {
    timers.cancel(Resubscribe.INSTANCE);
    if (!s.supervisor().equals(watched) && pendingFinal == null) {
      watched = s.supervisor();
      getContext().getLog().debug("following job supervisor {}", watched);
      getContext().watchWith(watched, new SupervisorMoved());
    }
    return send(message("snapshot", "job", s.job()));
  }

  private Behavior<Object> onBatch(JobUpdate.Batch b) {
    if (pendingFinal != null) {
      return this;
    }
    for (JobUpdate.TaskEvent e : b.events()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", "task");
      m.put("event", e.type());
      m.put("taskId", e.taskId());
      m.put("attempt", e.attempt());
      m.put("at", Instant.ofEpochMilli(e.at()));
      m.put("node", e.node());
      if (e.error() != null) {
        m.put("error", e.error());
      }
      if (pendingProgress != null || !out.offer(TextMessage.create(Json.text(m))).isEnqueued()) {
        dropped++;
      }
    }
    pendingProgress = progress(b.progress());
    return flushPending();
  }

  private Behavior<Object> onFinished(JobUpdate.Finished f) {
    timers.cancel(Resubscribe.INSTANCE);
    if (watched != null) {
      getContext().unwatch(watched);
      watched = null;
    }
    pendingFinal = message("finished", "job", f.job());
    return flushPending();
  }

  /** Sends the coalesced progress, then the final message, as room allows. */
  private Behavior<Object> flushPending() {
    if (pendingProgress != null && out.offer(TextMessage.create(pendingProgress)).isEnqueued()) {
      pendingProgress = null;
    }
    if (pendingProgress == null && pendingFinal != null
        && out.offer(TextMessage.create(pendingFinal)).isEnqueued()) {
      out.complete();
      job.tell(new JobSupervisor.Unsubscribe(self));
      return Behaviors.stopped();
    }
    if (pendingProgress != null || pendingFinal != null) {
      timers.startSingleTimer(Retry.INSTANCE, RETRY_EVERY);
    }
    return this;
  }

  private Behavior<Object> send(String json) {
    if (!out.offer(TextMessage.create(json)).isEnqueued()) {
      dropped++;
    }
    return this;
  }

  private Behavior<Object> onClientGone() {
    job.tell(new JobSupervisor.Unsubscribe(self));
    return Behaviors.stopped();
  }

  private String progress(JobView v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "progress");
    m.put("state", v.state());
    m.put("taskCount", v.taskCount());
    m.put("counts", v.counts());
    if (dropped > 0) {
      // tells the client its view of individual tasks has gaps; the counts are exact
      m.put("droppedTaskEvents", dropped);
    }
    return Json.text(m);
  }

  private static String message(String type, String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    m.put(key, value);
    return Json.text(m);
  }
}
