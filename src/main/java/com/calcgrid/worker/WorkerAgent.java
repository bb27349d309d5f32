package com.calcgrid.worker;

import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.GraphSpec;
import com.calcgrid.job.JobSupervisor;
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
import com.calcgrid.metrics.NodeMetrics;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * The node's worker: a fixed number of slots, lent to job supervisors as credit.
 *
 * <p>Work is pulled, never pushed: a supervisor with ready tasks asks ({@link RequestWork}); when
 * slots are free the agent offers some ({@link SlotsOffered}), the supervisor
 * answers with at most that many tasks ({@link RunTasks}) and says whether it has more. Waiting
 * supervisors are served by priority class, then by their tenant's weighted share of slot time
 * ({@link FairShare}), then in turn, so jobs share a node. Beyond the slots the agent holds
 * a short queue whose depth adapts to the task run time ({@link Prefetch}): deep for tiny tasks,
 * empty for long ones. A busy node simply offers less.
 */
public final class WorkerAgent extends AbstractBehavior<Worker> {

  private record RunnerFinished(TaskRunner.Finished finished) implements Worker {}

  private record RunnerStopped(ActorRef<TaskRunner.Command> runner) implements Worker {}

  private record SupervisorGone(ActorRef<JobSupervisor.Command> supervisor) implements Worker {}

  /** An offer that was not answered in time: its credit returns. */
  private record OfferExpired(ActorRef<JobSupervisor.Command> supervisor, long offerId)
      implements Worker {}

  /**
   * A task queued or running here.
   *
   * @param charge the slot time its tenant was charged when it was handed out ({@link FairShare})
   */
  private record Running(TaskAssignment assignment, ActorRef<JobSupervisor.Command> supervisor,
      Job job, double charge) {}

  /** A supervisor's job as its latest {@link RequestWork} describes it. */
  private record Job(String id, String tenant, int rank, boolean atRisk) {}

  /** Tasks from a supervisor that never asked (its request was lost): batch, no tenant. */
  private static final Job UNKNOWN_JOB = new Job("", "",
      GraphSpec.rankOf(GraphSpec.DEFAULT_PRIORITY), false);

  /**
   * Slots lent to one supervisor and not yet answered.
   *
   * @param askedAgain the supervisor sent {@link RequestWork} while this offer was out
   */
  private record Offer(long id, int credit, Job job, boolean askedAgain) {}

  /**
   * @param slots how many tasks run at once on this node
   * @param maxQueue the most tasks held beyond the slots
   * @param queueCover how much work, in time, the queue tries to hold
   * @param offerTimeout how long an offer may go unanswered before its slots are lent again:
   *     an offer or its answer can be lost between nodes
   * @param maxResultBytes the largest result a task may return, in bytes of JSON
   * @param tenantWeights each tenant's share of the slots relative to the others (1 if not
   *     named)
   */
  public record Settings(int slots, int maxQueue, Duration queueCover, Duration offerTimeout,
      long maxResultBytes, Map<String, Double> tenantWeights) {

    public Settings(int slots, int maxQueue, Duration queueCover, Duration offerTimeout,
        long maxResultBytes) {
      this(slots, maxQueue, queueCover, offerTimeout, maxResultBytes, Map.of());
    }

    /**
     * calcgrid.worker, with the node's resolved slots, calcgrid.limits.max-result-bytes and
     * calcgrid.sharing.tenant-weights.
     */
    public static Settings fromConfig(com.typesafe.config.Config config) {
      com.typesafe.config.Config worker = config.getConfig("calcgrid.worker");
      return new Settings(worker.getInt("slots"), worker.getInt("max-queue"),
          worker.getDuration("queue-cover"), worker.getDuration("offer-timeout"),
          config.getBytes("calcgrid.limits.max-result-bytes"),
          TenantWeights.parse(config.getString("calcgrid.sharing.tenant-weights")));
    }
  }

  private final int slots;
  private final Prefetch prefetch;
  /** Tasks waiting for a slot, one queue per priority class: the first class runs first. */
  private final List<ArrayDeque<Running>> queued = new ArrayList<>();
  /** Per priority class: tasks queued or running, and slots lent and not yet answered. */
  private final int[] busyByRank = new int[GraphSpec.PRIORITIES.size()];
  private final int[] lentByRank = new int[GraphSpec.PRIORITIES.size()];
  private final FairShare fair;
  private final String node;
  private final FunctionRegistry functions;
  private final ObjectMapper mapper;
  private final Executor calcExecutor;
  private final NodeMetrics metrics;
  private final ActorRef<TaskRunner.Finished> finishedAdapter;
  private final Map<ActorRef<TaskRunner.Command>, Running> running = new HashMap<>();
  private final Map<ActorRef<JobSupervisor.Command>, Offer> offered = new HashMap<>();
  private final LinkedHashMap<ActorRef<JobSupervisor.Command>, Job> waiting =
      new LinkedHashMap<>();
  /** Every supervisor that asked, and its job. */
  private final Map<ActorRef<JobSupervisor.Command>, Job> watched = new HashMap<>();
  private int offeredTotal;
  private long nextOfferId;
  private final TimerScheduler<Worker> timers;
  private final Duration offerTimeout;
  private final long maxResultBytes;
  /** Every function but those served outside the JVM. */
  private final Serves serves;

  /** @param node this node's address, reported with every outcome */
  public static Behavior<Worker> create(Settings settings, String node,
      FunctionRegistry functions, ObjectMapper mapper) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new WorkerAgent(ctx, timers, settings, node, functions, mapper)));
  }

  private WorkerAgent(ActorContext<Worker> ctx, TimerScheduler<Worker> timers,
      Settings settings, String node, FunctionRegistry functions, ObjectMapper mapper) {
    super(ctx);
    this.timers = timers;
    this.offerTimeout = settings.offerTimeout();
    this.maxResultBytes = settings.maxResultBytes();
    this.slots = settings.slots();
    this.prefetch = new Prefetch(slots, settings.maxQueue(),
        settings.queueCover().toNanos() / 1e6);
    this.fair = new FairShare(settings.tenantWeights());
    for (int rank = 0; rank < busyByRank.length; rank++) {
      queued.add(new ArrayDeque<>());
    }
    this.node = node;
    this.functions = functions;
    this.serves = Serves.allExcept(functions.external().patterns());
    this.mapper = mapper;
    this.calcExecutor = ctx.getSystem().dispatchers()
        .lookup(DispatcherSelector.fromConfig("calcgrid.calc-dispatcher"));
    this.finishedAdapter = ctx.messageAdapter(TaskRunner.Finished.class, RunnerFinished::new);
    this.metrics = NodeMetrics.get(ctx.getSystem());
    metrics.workerSlots(slots);
    ctx.getSystem().receptionist().tell(Receptionist.register(Worker.KEY, ctx.getSelf()));
    ctx.getLog().info("worker agent started with {} slots", slots);
  }

  @Override
  public Receive<Worker> createReceive() {
    return newReceiveBuilder()
        .onMessage(RequestWork.class, this::onRequestWork)
        .onMessage(RunTasks.class, this::onRunTasks)
        .onMessage(OfferExpired.class, this::onOfferExpired)
        .onMessage(RunnerFinished.class, this::onRunnerFinished)
        .onMessage(RunnerStopped.class, this::onRunnerStopped)
        .onMessage(CancelJob.class, this::onCancelJob)
        .onMessage(SupervisorGone.class, this::onSupervisorGone)
        .onMessage(GetLoad.class, this::onGetLoad)
        .build();
  }

  private Behavior<Worker> onRequestWork(RequestWork r) {
    Job job = new Job(r.jobId(), r.tenant(),
        Math.max(0, Math.min(busyByRank.length - 1, r.priorityRank())), r.atRisk());
    watch(r.supervisor(), job);
    Offer out = offered.get(r.supervisor());
    if (out == null) {
      await(r.supervisor(), job);
    } else {
      // the offer or its answer may be lost: remember the request for when the offer expires
      offered.put(r.supervisor(), new Offer(out.id(), out.credit(), out.job(), true));
    }
    offer();
    return this;
  }

  private Behavior<Worker> onRunTasks(RunTasks r) {
    Offer out = offered.get(r.supervisor());
    boolean current = out != null && out.id() == r.offerId();
    if (current) {
      offered.remove(r.supervisor());
      timers.cancel(r.supervisor());
      returnCredit(out);
    }
    // tasks of an expired offer are valid hand-outs all the same: run them (its credit was
    // already returned, so they briefly run beyond what was lent)
    Job job = watched.getOrDefault(r.supervisor(), UNKNOWN_JOB);
    for (TaskAssignment a : r.tasks()) {
      queued.get(job.rank()).add(new Running(a, r.supervisor(), job,
          fair.handedOut(job.tenant())));
      busyByRank[job.rank()]++;
    }
    startQueued();
    if (r.moreReady()) {
      if (offered.containsKey(r.supervisor())) {
        Offer newer = offered.get(r.supervisor());
        offered.put(r.supervisor(), new Offer(newer.id(), newer.credit(), newer.job(), true));
      } else {
        await(r.supervisor(), job);
      }
    }
    offer();
    return this;
  }

  private Behavior<Worker> onOfferExpired(OfferExpired e) {
    Offer out = offered.get(e.supervisor());
    if (out == null || out.id() != e.offerId()) {
      return this;
    }
    offered.remove(e.supervisor());
    returnCredit(out);
    getContext().getLog().debug("offer {} of {} slots to {} expired unanswered", out.id(),
        out.credit(), e.supervisor());
    if (out.askedAgain()) {
      await(e.supervisor(), watched.getOrDefault(e.supervisor(), out.job()));
    }
    offer();
    return this;
  }

  /** Fills free slots from the queues: the first priority class first, each oldest first. */
  private void startQueued() {
    while (running.size() < slots) {
      Running run = nextQueued();
      if (run == null) {
        return;
      }
      ActorRef<TaskRunner.Command> runner = getContext().spawnAnonymous(
          Behaviors.supervise(TaskRunner.create(run.assignment(), functions, calcExecutor, mapper,
              maxResultBytes, finishedAdapter)).onFailure(SupervisorStrategy.stop()));
      getContext().watchWith(runner, new RunnerStopped(runner));
      running.put(runner, run);
    }
  }

  private Behavior<Worker> onRunnerFinished(RunnerFinished m) {
    TaskRunner.Finished f = m.finished();
    Running run = removeRunning(f.assignment());
    long nanos = f.finishedNanos() - f.startedNanos();
    prefetch.ran(nanos / 1e6);
    if (run != null) {
      fair.finished(run.job().tenant(), run.charge(), nanos);
      busyByRank[run.job().rank()]--;
    }
    startQueued();
    if (run != null) {
      run.supervisor().tell(new TaskFinished(f.assignment().task(),
          f.assignment().attempt(), f.assignment().dispatchId(), f.succeeded(), f.result(),
          f.error(), f.permanent(), f.startedAt(), f.finishedAt(), node));
    }
    offer();
    return this;
  }

  /** A runner that stopped without reporting crashed: report that, so the task is retried. */
  private Behavior<Worker> onRunnerStopped(RunnerStopped m) {
    Running run = running.remove(m.runner());
    if (run != null) {
      dropped(run);
      long now = System.currentTimeMillis();
      run.supervisor().tell(new TaskFinished(run.assignment().task(),
          run.assignment().attempt(), run.assignment().dispatchId(), false, null,
          "task runner stopped unexpectedly", false, now, now, node));
    }
    startQueued();
    offer();
    return this;
  }

  private Running removeRunning(TaskAssignment a) {
    Iterator<Map.Entry<ActorRef<TaskRunner.Command>, Running>> it = running.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<ActorRef<TaskRunner.Command>, Running> e = it.next();
      if (e.getValue().assignment() == a) {
        getContext().unwatch(e.getKey());
        it.remove();
        return e.getValue();
      }
    }
    return null;
  }

  private Behavior<Worker> onCancelJob(CancelJob c) {
    running.entrySet().removeIf(e -> {
      if (e.getValue().assignment().jobId().equals(c.jobId())) {
        getContext().unwatch(e.getKey());
        e.getKey().tell(TaskRunner.Cancel.INSTANCE);
        dropped(e.getValue());
        return true;
      }
      return false;
    });
    waiting.values().removeIf(j -> {
      if (j.id().equals(c.jobId())) {
        fair.stopsAsking(j.tenant());
        return true;
      }
      return false;
    });
    dropQueued(q -> q.assignment().jobId().equals(c.jobId()));
    startQueued();
    offer();
    return this;
  }

  private Behavior<Worker> onSupervisorGone(SupervisorGone g) {
    watched.remove(g.supervisor());
    Job waited = waiting.remove(g.supervisor());
    if (waited != null) {
      fair.stopsAsking(waited.tenant());
    }
    Offer out = offered.remove(g.supervisor());
    if (out != null) {
      returnCredit(out);
    }
    timers.cancel(g.supervisor());
    // nobody would take the outcomes: the job's new supervisor hands them out again
    dropQueued(q -> q.supervisor().equals(g.supervisor()));
    offer();
    return this;
  }

  private Behavior<Worker> onGetLoad(GetLoad g) {
    g.replyTo().tell(new Load(node, slots, running.size(), queuedCount(), waiting.size()));
    return this;
  }

  /**
   * Lends free capacity to waiting supervisors: the first priority class first, then within it
   * jobs projected to miss their deadline, then the tenant furthest behind its share
   * ({@link FairShare}), then the job that asked first. A class sees
   * only its own work and that of the classes before it, so interactive work is lent slots
   * however full the queue is of batch work, and its tasks run before the queued batch tasks:
   * it waits for at most one batch task to finish, never for the queue.
   */
  private void offer() {
    while (!waiting.isEmpty()) {
      Map.Entry<ActorRef<JobSupervisor.Command>, Job> next = null;
      for (Map.Entry<ActorRef<JobSupervisor.Command>, Job> w : waiting.entrySet()) {
        if (free(w.getValue().rank()) > 0 && (next == null || before(w.getValue(),
            next.getValue()))) {
          next = w;
        }
      }
      if (next == null) {
        break;
      }
      ActorRef<JobSupervisor.Command> supervisor = next.getKey();
      Job job = next.getValue();
      int free = free(job.rank());
      int share = Math.max(1, free / waiting.size());
      waiting.remove(supervisor);
      fair.stopsAsking(job.tenant());
      long id = nextOfferId++;
      offered.put(supervisor, new Offer(id, share, job, false));
      offeredTotal += share;
      lentByRank[job.rank()] += share;
      fair.lent(job.tenant(), share);
      timers.startSingleTimer(supervisor, new OfferExpired(supervisor, id), offerTimeout);
      supervisor.tell(new SlotsOffered(share, getContext().getSelf(), node, id, serves));
    }
    metrics.workerLoad(running.size(), offeredTotal, waiting.size());
  }

  /** The supervisor waits for slots (once, however often it asks; its latest word counts). */
  private void await(ActorRef<JobSupervisor.Command> supervisor, Job job) {
    if (waiting.put(supervisor, job) == null) {
      fair.asks(job.tenant());
    }
  }

  /** Slots and queue places not taken by work of this class or of the classes before it. */
  private int free(int rank) {
    int taken = 0;
    for (int r = 0; r <= rank; r++) {
      taken += busyByRank[r] + lentByRank[r];
    }
    return slots + prefetch.depth() - taken;
  }

  private boolean before(Job a, Job b) {
    if (a.rank() != b.rank()) {
      return a.rank() < b.rank();
    }
    if (a.atRisk() != b.atRisk()) {
      return a.atRisk();
    }
    return fair.virtualTime(a.tenant()) < fair.virtualTime(b.tenant());
  }

  private void returnCredit(Offer out) {
    offeredTotal -= out.credit();
    lentByRank[out.job().rank()] -= out.credit();
    fair.returned(out.job().tenant(), out.credit());
  }

  private Running nextQueued() {
    for (ArrayDeque<Running> q : queued) {
      if (!q.isEmpty()) {
        return q.poll();
      }
    }
    return null;
  }

  private int queuedCount() {
    int n = 0;
    for (ArrayDeque<Running> q : queued) {
      n += q.size();
    }
    return n;
  }

  private void dropQueued(java.util.function.Predicate<Running> which) {
    for (ArrayDeque<Running> q : queued) {
      q.removeIf(run -> {
        if (which.test(run)) {
          dropped(run);
          return true;
        }
        return false;
      });
    }
  }

  /** A task that will not report here: its slot time is not its tenant's. */
  private void dropped(Running run) {
    fair.dropped(run.job().tenant(), run.charge());
    busyByRank[run.job().rank()]--;
  }

  private void watch(ActorRef<JobSupervisor.Command> supervisor, Job job) {
    if (watched.put(supervisor, job) == null) {
      getContext().watchWith(supervisor, new SupervisorGone(supervisor));
    }
  }
}
