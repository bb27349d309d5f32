package com.calcgrid.gateway;

import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.job.JobSupervisor;
import com.calcgrid.metrics.NodeMetrics;
import com.calcgrid.pull.CancelJob;
import com.calcgrid.pull.GetLoad;
import com.calcgrid.pull.Load;
import com.calcgrid.pull.Prefetch;
import com.calcgrid.pull.RequestWork;
import com.calcgrid.pull.RunTasks;
import com.calcgrid.pull.Serves;
import com.calcgrid.pull.SlotsOffered;
import com.calcgrid.pull.TaskAssignment;
import com.calcgrid.pull.TaskFinished;
import com.calcgrid.pull.Worker;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;

/**
 * One external worker's connection, seen by supervisors as one more worker: after the worker's
 * hello it registers under {@link Worker#KEY} and speaks the pull protocol exactly like the
 * in-JVM agent (offers with ids, credit, dispatch ids, cancellation), with the worker's declared
 * functions in every offer. Its credit is the worker's slots plus a short queue sized as the
 * in-JVM agent sizes its own ({@link Prefetch}, at most calcgrid.gateway.max-queue): the worker
 * runs at most {@code slots} at once and queues the rest, so its slots do not idle while the
 * next hand-out travels.
 *
 * <p>The connection is the worker: when it closes, goes silent past the heartbeat timeout or
 * breaks the protocol, this actor stops, every supervisor that watched it counts the tasks it
 * held as lost and hands them out again, and a late report has nowhere to go. A worker may
 * report only what was handed to this connection (checked by dispatch id); anything else is
 * refused and counted, and too many refusals close the connection.
 */
final class WorkerConnection extends AbstractBehavior<Worker> {

  /** A text message from the worker; {@code ack} lets the socket read the next one. */
  record Frame(String text, ActorRef<Done> ack) implements Worker {}

  /** What the socket could not pass on as text: too large, or binary. */
  record Unreadable(String reason, ActorRef<Done> ack) implements Worker {}

  /** The socket closed from the worker's side or broke. */
  enum Closed implements Worker { INSTANCE }

  private enum Tick implements Worker { INSTANCE }

  /** Messages to the worker piled up unread. */
  private enum SlowReader implements Worker { INSTANCE }

  private enum HelloDue implements Worker { INSTANCE }

  private record SupervisorGone(ActorRef<JobSupervisor.Command> supervisor) implements Worker {}

  private record OfferExpired(ActorRef<JobSupervisor.Command> supervisor, long offerId)
      implements Worker {}

  private record Offer(long id, int credit, String jobId, boolean askedAgain) {}

  /** A task out on this connection. Nanos for deadlines, millis for what is reported. */
  private record Out(String jobId, int task, int attempt,
      ActorRef<JobSupervisor.Command> supervisor, long maxResultBytes, long handedAt,
      long deadlineNanos, long timeoutMs) {}

  /** Dispatch ids this connection no longer holds but may still hear of, quietly ignored. */
  private static final int FORGET_AFTER = 4096;

  private final GatewaySettings settings;
  private final FunctionRegistry functions;
  private final String node;
  private final String peer;
  private final String id;
  private final BoundedSourceQueue<org.apache.pekko.http.javadsl.model.ws.Message> out;
  private final TimerScheduler<Worker> timers;
  private final NodeMetrics metrics;
  private final long startedNanos = System.nanoTime();
  private long lastHeardNanos = System.nanoTime();

  private Wire.Hello hello;
  private String name;
  private Serves serves;
  private boolean draining;
  private int refused;
  private final Map<Long, Out> outstanding = new HashMap<>();
  private final LinkedHashMap<Long, Boolean> forgotten = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
      return size() > FORGET_AFTER;
    }
  };
  private final Map<ActorRef<JobSupervisor.Command>, Offer> offered = new HashMap<>();
  private final LinkedHashMap<ActorRef<JobSupervisor.Command>, String> waiting =
      new LinkedHashMap<>();
  /** Every supervisor that asked, and its job's priority class (0 first). */
  private final Map<ActorRef<JobSupervisor.Command>, Integer> watched = new HashMap<>();
  private int offeredTotal;
  /** Tasks sent beyond the slots, for the worker to queue; from the hello on. */
  private Prefetch prefetch;
  private long nextOfferId;

  /**
   * @param node this node's address ({@code host:port})
   * @param peer the worker's address as the socket saw it, for people
   * @param out messages to the worker; completing it closes the socket
   */
  static Behavior<Worker> create(GatewaySettings settings, FunctionRegistry functions,
      String node, String peer, String id,
      BoundedSourceQueue<org.apache.pekko.http.javadsl.model.ws.Message> out) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new WorkerConnection(ctx, timers, settings, functions, node, peer, id, out)));
  }

  private WorkerConnection(ActorContext<Worker> ctx, TimerScheduler<Worker> timers,
      GatewaySettings settings, FunctionRegistry functions, String node, String peer,
      String id, BoundedSourceQueue<org.apache.pekko.http.javadsl.model.ws.Message> out) {
    super(ctx);
    this.timers = timers;
    this.settings = settings;
    this.functions = functions;
    this.node = node;
    this.peer = peer;
    this.id = id;
    this.out = out;
    this.metrics = NodeMetrics.get(ctx.getSystem());
    timers.startSingleTimer(HelloDue.INSTANCE, settings.helloTimeout());
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.heartbeatInterval());
  }

  @Override
  public Receive<Worker> createReceive() {
    return newReceiveBuilder()
        .onMessage(Frame.class, this::onFrame)
        .onMessage(Unreadable.class, u -> {
          u.ack().tell(Done.getInstance());
          return close("too-large", u.reason());
        })
        .onMessageEquals(Closed.INSTANCE, () -> stop("peer", "the connection closed"))
        .onMessageEquals(SlowReader.INSTANCE, () -> stop("slow-reader",
            "it did not read what it was sent"))
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(HelloDue.INSTANCE, () -> hello != null ? this
            : close("protocol", "no hello within " + settings.helloTimeout().toMillis() + " ms"))
        .onMessage(RequestWork.class, this::onRequestWork)
        .onMessage(RunTasks.class, this::onRunTasks)
        .onMessage(OfferExpired.class, this::onOfferExpired)
        .onMessage(CancelJob.class, this::onCancelJob)
        .onMessage(SupervisorGone.class, this::onSupervisorGone)
        .onMessage(GetLoad.class, g -> {
          int slots = hello == null ? 0 : hello.slots();
          g.replyTo().tell(new Load(node, slots, Math.min(slots, outstanding.size()),
              Math.max(0, outstanding.size() - slots), waiting.size(),
              (name == null ? id : name) + " (" + peer + ")"));
          return this;
        })
        .onSignal(PostStop.class, s -> {
          if (hello != null) {
            metrics.gatewayWorker(-1, hello.slots());
            metrics.gatewayBusy(-outstanding.size());
          }
          try {
            out.complete();
          } catch (IllegalStateException alreadyClosed) {
            // the socket ended first
          }
          return this;
        })
        .build();
  }

  // ---- the worker's side ----

  private Behavior<Worker> onFrame(Frame f) {
    f.ack().tell(Done.getInstance());
    lastHeardNanos = System.nanoTime();
    Wire.Incoming in;
    try {
      in = Wire.read(f.text());
    } catch (Wire.BadMessage e) {
      return close("protocol", e.getMessage());
    }
    if (hello == null && !(in instanceof Wire.Hello)) {
      return close("protocol", "the first message must be a hello");
    }
    if (in instanceof Wire.Hello h) {
      return onHello(h);
    } else if (in instanceof Wire.Outcomes o) {
      return onOutcomes(o);
    } else if (in instanceof Wire.Drain) {
      draining = true;
      return this;
    }
    return this; // a pong: hearing it was the point
  }

  private Behavior<Worker> onHello(Wire.Hello h) {
    if (hello != null) {
      return close("protocol", "hello may be sent once");
    }
    String problem = h.check(settings, functions);
    if (problem != null) {
      return close("protocol", problem);
    }
    hello = h;
    prefetch = new Prefetch(h.slots(), settings.maxQueue(),
        settings.queueCover().toNanos() / 1e6);
    name = h.name() != null ? h.name() : id;
    serves = Serves.only(h.served());
    timers.cancel(HelloDue.INSTANCE);
    metrics.gatewayWorker(1, h.slots());
    getContext().getSystem().receptionist().tell(Receptionist.register(Worker.KEY,
        getContext().getSelf()));
    getContext().getLog().info("external worker {} ({}) connected with {} slots serving {}",
        name, peer, h.slots(), h.served());
    send(Wire.welcome(node, id, settings));
    return this;
  }

  private Behavior<Worker> onOutcomes(Wire.Outcomes o) {
    long now = System.currentTimeMillis();
    for (Wire.Outcome r : o.outcomes()) {
      Out task = outstanding.get(r.dispatchId());
      if (task == null || !task.jobId().equals(r.job())) {
        if (task == null && forgotten.containsKey(r.dispatchId())) {
          continue; // cancelled or timed out here: its report is simply late
        }
        refused++;
        metrics.gatewayRefused("unknown");
        send(Wire.refused(r.job(), r.dispatchId(), "no task with this job and dispatch id was"
            + " handed to this connection"));
        if (refused > settings.maxRefused()) {
          return close("refused", refused + " reports refused (more than"
              + " calcgrid.gateway.max-refused, " + settings.maxRefused() + ")");
        }
        continue;
      }
      outstanding.remove(r.dispatchId());
      metrics.gatewayBusy(-1);
      long started = Math.min(now, Math.max(task.handedAt(), r.startedAt()));
      long finished = Math.min(now, Math.max(started, r.finishedAt()));
      prefetch.ran(finished - started);
      task.supervisor().tell(r.ok()
          ? Wire.success(task.task(), task.attempt(), r, task.maxResultBytes(),
              settings.maxResultBytes(), started, finished, node + "/" + name)
          : new TaskFinished(task.task(), task.attempt(), r.dispatchId(), false, null,
              r.error(), started, finished, node + "/" + name));
    }
    offer();
    return this;
  }

  private Behavior<Worker> onTick() {
    long now = System.nanoTime();
    if (now - lastHeardNanos > settings.heartbeatTimeout().toNanos()) {
      return close("heartbeat", "nothing heard for " + (now - lastHeardNanos) / 1_000_000
          + " ms (calcgrid.gateway.heartbeat-timeout is "
          + settings.heartbeatTimeout().toMillis() + " ms)");
    }
    if (hello == null) {
      return this;
    }
    expireOverdue(now);
    send(Wire.ping());
    return this;
  }

  /**
   * A task past its timeout plus the report grace fails here, as the in-JVM runner's timeout
   * would, and the worker is told to stop it: a worker that hangs on one task must not hold
   * its slot for good.
   */
  private void expireOverdue(long now) {
    List<Long> expired = new ArrayList<>();
    for (Map.Entry<Long, Out> e : outstanding.entrySet()) {
      if (now - e.getValue().deadlineNanos() > 0) {
        expired.add(e.getKey());
      }
    }
    for (long dispatchId : expired) {
      Out task = outstanding.remove(dispatchId);
      metrics.gatewayBusy(-1);
      forgotten.put(dispatchId, Boolean.TRUE);
      long at = System.currentTimeMillis();
      task.supervisor().tell(new TaskFinished(task.task(), task.attempt(), dispatchId, false,
          null, "timed out after " + task.timeoutMs() + " ms on external worker " + name
              + " (no report); it was told to stop the task", task.handedAt(), at,
          node + "/" + name));
      send(Wire.cancel(task.jobId(), List.of(dispatchId)));
    }
    if (!expired.isEmpty()) {
      offer();
    }
  }

  // ---- the supervisors' side: the pull protocol, as WorkerAgent speaks it ----

  private Behavior<Worker> onRequestWork(RequestWork r) {
    watch(r.supervisor(), r.priorityRank());
    Offer o = offered.get(r.supervisor());
    if (o == null) {
      waiting.putIfAbsent(r.supervisor(), r.jobId());
    } else {
      offered.put(r.supervisor(), new Offer(o.id(), o.credit(), o.jobId(), true));
    }
    offer();
    return this;
  }

  private Behavior<Worker> onRunTasks(RunTasks r) {
    Offer o = offered.get(r.supervisor());
    if (o != null && o.id() == r.offerId()) {
      offered.remove(r.supervisor());
      timers.cancel(r.supervisor());
      offeredTotal -= o.credit();
    }
    if (!r.tasks().isEmpty()) {
      long now = System.currentTimeMillis();
      long nanos = System.nanoTime();
      long grace = settings.reportGrace().toNanos() / 2;
      for (TaskAssignment a : r.tasks()) {
        // the supervisor presumes a silent hand-out lost after its timeout plus the whole
        // grace: failing it here first, after half, gives the worker's own answer precedence
        outstanding.put(a.dispatchId(), new Out(a.jobId(), a.task(), a.attempt(),
            r.supervisor(), a.maxResultBytes(), now,
            nanos + a.timeoutMs() * 1_000_000 + grace, a.timeoutMs()));
      }
      metrics.gatewayBusy(r.tasks().size());
      send(Wire.tasks(r.tasks()));
    }
    if (r.moreReady()) {
      if (offered.containsKey(r.supervisor())) {
        Offer newer = offered.get(r.supervisor());
        offered.put(r.supervisor(), new Offer(newer.id(), newer.credit(), newer.jobId(), true));
      } else {
        waiting.putIfAbsent(r.supervisor(), r.jobId());
      }
    }
    offer();
    return this;
  }

  private Behavior<Worker> onOfferExpired(OfferExpired e) {
    Offer o = offered.get(e.supervisor());
    if (o == null || o.id() != e.offerId()) {
      return this;
    }
    offered.remove(e.supervisor());
    offeredTotal -= o.credit();
    if (o.askedAgain()) {
      waiting.putIfAbsent(e.supervisor(), o.jobId());
    }
    offer();
    return this;
  }

  private Behavior<Worker> onCancelJob(CancelJob c) {
    List<Long> ids = new ArrayList<>();
    Iterator<Map.Entry<Long, Out>> it = outstanding.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Out> e = it.next();
      if (e.getValue().jobId().equals(c.jobId())) {
        ids.add(e.getKey());
        forgotten.put(e.getKey(), Boolean.TRUE);
        it.remove();
      }
    }
    waiting.values().removeIf(c.jobId()::equals);
    if (!ids.isEmpty()) {
      metrics.gatewayBusy(-ids.size());
      send(Wire.cancel(c.jobId(), ids));
    }
    offer();
    return this;
  }

  private Behavior<Worker> onSupervisorGone(SupervisorGone g) {
    watched.remove(g.supervisor());
    waiting.remove(g.supervisor());
    Offer o = offered.remove(g.supervisor());
    offeredTotal -= o == null ? 0 : o.credit();
    timers.cancel(g.supervisor());
    offer();
    return this;
  }

  /**
   * Lends free slots to waiting supervisors, an equal share each: the first priority class
   * first, each in arrival order. (Tenant weights are the in-JVM worker's; an external worker
   * queues what it is sent in its own pool.)
   */
  private void offer() {
    if (hello == null) {
      return;
    }
    int free = draining ? 0
        : hello.slots() + prefetch.depth() - outstanding.size() - offeredTotal;
    while (free > 0 && !waiting.isEmpty()) {
      Map.Entry<ActorRef<JobSupervisor.Command>, String> next = null;
      int best = Integer.MAX_VALUE;
      for (Map.Entry<ActorRef<JobSupervisor.Command>, String> w : waiting.entrySet()) {
        int rank = watched.getOrDefault(w.getKey(), Integer.MAX_VALUE - 1);
        if (rank < best) {
          best = rank;
          next = w;
        }
      }
      ActorRef<JobSupervisor.Command> supervisor = next.getKey();
      String jobId = next.getValue();
      int share = Math.max(1, free / waiting.size());
      waiting.remove(supervisor);
      long offerId = nextOfferId++;
      offered.put(supervisor, new Offer(offerId, share, jobId, false));
      offeredTotal += share;
      free -= share;
      timers.startSingleTimer(supervisor, new OfferExpired(supervisor, offerId),
          settings.offerTimeout());
      supervisor.tell(new SlotsOffered(share, getContext().getSelf(), node + "/" + name,
          offerId, serves));
    }
  }

  private void watch(ActorRef<JobSupervisor.Command> supervisor, int rank) {
    if (watched.put(supervisor, rank) == null) {
      getContext().watchWith(supervisor, new SupervisorGone(supervisor));
    }
  }

  // ---- the socket ----

  private void send(JsonNode message) {
    QueueOfferResult result = out.offer(TextMessage.create(Wire.text(message)));
    if (result != QueueOfferResult.enqueued()) {
      // the worker does not read what it is sent: it will be dropped on the next turn
      getContext().getSelf().tell(SlowReader.INSTANCE);
    }
  }

  /** Tells the worker why, closes the socket, and stops: its tasks count as lost. */
  private Behavior<Worker> close(String reason, String detail) {
    getContext().getLog().info("closing the connection of external worker {} ({}): {}",
        name == null ? id : name, peer, detail);
    out.offer(TextMessage.create(Wire.text(Wire.error(detail))));
    metrics.gatewayClosed(reason);
    return Behaviors.stopped();
  }

  private Behavior<Worker> stop(String reason, String detail) {
    getContext().getLog().info("external worker {} ({}) is gone: {}", name == null ? id : name,
        peer, detail);
    metrics.gatewayClosed(reason);
    return Behaviors.stopped();
  }
}
