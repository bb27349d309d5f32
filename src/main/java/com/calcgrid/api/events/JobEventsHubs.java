package com.calcgrid.api.events;

import com.calcgrid.job.JobSupervisor;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * This node's {@link JobEventsHub}s, one per job that has WebSocket clients here: starts a hub
 * for a job's first client and stops it once its last client is gone.
 */
final class JobEventsHubs extends AbstractBehavior<JobEventsHubs.Command> {

  sealed interface Command {}

  /** A WebSocket client of {@code jobId}; answered with the job (null: no such job). */
  record Join(String jobId, JobEventsOutbox outbox, ActorRef<JobEventsHub.Joined> replyTo)
      implements Command {}

  /** A client's socket closed, or it was refused. */
  record Leave(String jobId, JobEventsOutbox outbox) implements Command {}

  /** A hub has no client left after {@code joins} joins. */
  record Drained(String jobId, ActorRef<JobEventsHub.Command> hub, long joins)
      implements Command {}

  private record Hub(ActorRef<JobEventsHub.Command> ref, long joins) {}

  private final Function<String, EntityRef<JobSupervisor.Command>> jobs;
  private final Duration window;
  private final Map<String, Hub> hubs = new HashMap<>();
  private long started;

  /**
   * @param jobs the supervisor of a job id
   * @param window how long a hub gathers task events and progress before sending them
   */
  static Behavior<Command> create(Function<String, EntityRef<JobSupervisor.Command>> jobs,
      Duration window) {
    return Behaviors.setup(ctx -> new JobEventsHubs(ctx, jobs, window));
  }

  private JobEventsHubs(ActorContext<Command> ctx,
      Function<String, EntityRef<JobSupervisor.Command>> jobs, Duration window) {
    super(ctx);
    this.jobs = jobs;
    this.window = window;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Join.class, this::onJoin)
        .onMessage(Leave.class, l -> {
          Hub hub = hubs.get(l.jobId());
          if (hub != null) {
            hub.ref().tell(new JobEventsHub.Leave(l.outbox()));
          }
          return this;
        })
        .onMessage(Drained.class, this::onDrained)
        .build();
  }

  private Behavior<Command> onJoin(Join j) {
    Hub hub = hubs.get(j.jobId());
    if (hub == null) {
      // a unique name: the job's previous hub may not have stopped yet
      ActorRef<JobEventsHub.Command> ref = getContext().<Object>spawn(
          JobEventsHub.create(j.jobId(), jobs.apply(j.jobId()), window, getContext().getSelf()),
          "job-" + j.jobId() + "-" + started++).narrow();
      hub = new Hub(ref, 0);
    }
    hubs.put(j.jobId(), new Hub(hub.ref(), hub.joins() + 1));
    hub.ref().tell(new JobEventsHub.Join(j.outbox(), j.replyTo()));
    return this;
  }

  private Behavior<Command> onDrained(Drained d) {
    Hub hub = hubs.get(d.jobId());
    // a join sent after the hub counted its joins is still on its way: the hub stays
    if (hub != null && hub.ref().equals(d.hub()) && hub.joins() == d.joins()) {
      hubs.remove(d.jobId());
      getContext().stop(hub.ref());
    }
    return this;
  }
}
