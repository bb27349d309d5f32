package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import com.calcgrid.cluster.NodeAddress;
import com.calcgrid.cluster.Role;
import com.calcgrid.graph.GraphSpec;
import com.calcgrid.job.JobEvent.JobCancelled;
import com.calcgrid.job.JobEvent.JobSubmitted;
import com.calcgrid.job.JobEvent.TaskOutcome;
import com.calcgrid.job.JobEvent.TasksDispatched;
import com.calcgrid.job.JobEvent.TasksFinished;
import com.calcgrid.job.JobEvent.TasksLost;
import com.calcgrid.job.index.JobIndex;
import com.calcgrid.metrics.JobGauges;
import com.calcgrid.metrics.NodeMetrics;
import com.calcgrid.pull.SlotsOffered;
import com.calcgrid.pull.TaskFinished;
import com.calcgrid.pull.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One per job, hosted by Cluster Sharding: owns the job's graph, hands ready tasks to workers
 * that offered slots, persists outcomes in batches, retries with backoff, and tells subscribers.
 *
 * <p>Nothing is dispatched on the strength of an unpersisted outcome: a dependent becomes ready
 * only after its dependencies' successes are in the journal. After recovery every task that had
 * not finished is dispatched again; finished ones never are.
 *
 * <p>A hand-out lost with its worker counts against the task ({@link TasksLost}): a task that
 * kills whichever node runs it fails after calcgrid.job.max-lost-workers losses. What recovery
 * means for the hand-outs (and why dispatch then becomes durable) is {@link Resumption}'s.
 *
 * <p>At most calcgrid.job.max-in-flight hand-outs and unwritten outcomes are out at once, well
 * below the stash that holds commands during a write: no worker report is ever dropped.
 */
public final class JobSupervisor
    extends EventSourcedBehaviorWithEnforcedReplies<JobSupervisor.Command, JobEvent, JobState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Job");

  /**
   * What a supervisor receives. Not sealed: {@link SlotsOffered} and {@link TaskFinished} of the
   * pull protocol ({@code com.calcgrid.pull}) are commands too.
   */
  public interface Command extends CborSerializable {}

  /**
   * Store and start a job. Replies once the submission is in the journal.
   *
   * @param scheduled the schedule's firing that submits the job, or null
   */
  public record Submit(GraphSpec graph, String tenant, ScheduledRun scheduled,
      ActorRef<StatusReply<Accepted>> replyTo) implements Command {
    public Submit(GraphSpec graph, String tenant, ActorRef<StatusReply<Accepted>> replyTo) {
      this(graph, tenant, null, replyTo);
    }
  }

  /** @param created false when the job already existed (the same id was submitted before) */
  public record Accepted(String jobId, boolean created) implements CborSerializable {}

  public record GetJob(ActorRef<JobReply> replyTo) implements Command {}

  /** {@code job} is null when there is no such job. */
  public record JobReply(JobView job) implements CborSerializable {}

  public record GetTask(String taskId, ActorRef<TaskReply> replyTo) implements Command {}

  /** {@code task} is null when the job or the task does not exist; {@code jobExists} tells which. */
  public record TaskReply(boolean jobExists, TaskView task) implements CborSerializable {}

  public record GetResults(boolean all, int offset, int limit, ActorRef<ResultsReply> replyTo)
      implements Command {}

  /** {@code results} is null when there is no such job. */
  public record ResultsReply(ResultsView results) implements CborSerializable {}

  /**
   * A page of tasks, optionally only those of one template and in one state (null: no filter);
   * see {@link TaskPage}.
   */
  public record GetTaskPage(String template, TaskStatus state, int offset, int limit,
      ActorRef<TaskPageReply> replyTo) implements Command {}

  /** {@code page} is null when there is no such job. */
  public record TaskPageReply(TaskPage page) implements CborSerializable {}

  /** The graph by template with counts per state; see {@link JobGraph}. */
  public record GetGraph(ActorRef<GraphReply> replyTo) implements Command {}

  /** {@code graph} is null when there is no such job. */
  public record GraphReply(JobGraph graph) implements CborSerializable {}

  public record Cancel(String reason, ActorRef<CancelReply> replyTo) implements Command {}

  /** @param cancelled false when the job had already finished (or does not exist: job null) */
  public record CancelReply(boolean cancelled, JobView job) implements CborSerializable {}

  /** Stream this job's updates to {@code subscriber}, starting with a snapshot. */
  public record Subscribe(ActorRef<JobUpdate> subscriber) implements Command {}

  public record Unsubscribe(ActorRef<JobUpdate> subscriber) implements Command {}

  /**
   * The job's rows were deleted ({@link JobDeletion}): a finished supervisor still in memory
   * passivates, so that the next message finds the job gone. A running one ignores it.
   */
  public enum Forget implements Command { INSTANCE }

  /** Sent at node start to every unfinished job so that it resumes without a submission. */
  public enum Wake implements Command { INSTANCE }

  private record WorkersChanged(Set<ActorRef<Worker>> workers) implements Command {}

  private record WorkerGone(ActorRef<Worker> worker) implements Command {}

  private record SubscriberGone(ActorRef<JobUpdate> subscriber) implements Command {}

  /** The earliest retry backoff is over: one timer for all retrying tasks. */
  private enum RetriesDue implements Command { INSTANCE }

  /** Recovered while running: write what recovery means for the hand-outs, then dispatch. */
  private enum Recovered implements Command { INSTANCE }

  private enum Flush implements Command { INSTANCE }

  /** Periodic look for hand-outs whose report never came. */
  private enum Sweep implements Command { INSTANCE }

  private static final Duration SWEEP_EVERY = Duration.ofSeconds(5);

  /** Far longer than a submission takes to reach its supervisor (calcgrid.http.ask-timeout). */
  private static final Duration FORGET_UNSUBMITTED_AFTER = Duration.ofMinutes(5);

  private enum Idle implements Command { INSTANCE }

  /** Starts sharding for job supervisors on this node. */
  public static void init(ActorSystem<?> system, JobIndex index, JobSettings settings,
      com.fasterxml.jackson.databind.ObjectMapper mapper) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            ctx -> create(ctx.getEntityId(), index, settings, mapper, ctx.getShard()))
        .withRole(Role.SCHEDULER.id()));
  }

  /**
   * The supervisor of one job. {@code shard} receives the request to passivate once the job has
   * finished and gone quiet.
   */
  public static Behavior<Command> create(String jobId, JobIndex index, JobSettings settings,
      com.fasterxml.jackson.databind.ObjectMapper mapper,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(actx -> Behaviors.withTimers(timers -> new JobSupervisor(jobId, actx,
        timers, index, settings,
        new JobViews(mapper, NodeAddress.of(actx.getSystem().address())), shard)));
  }

  private final String jobId;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final JobIndex index;
  private final JobSettings settings;
  private final JobViews views;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final HandOuts handOuts;
  private final OutcomeBuffer outcomes;
  private final Retries retries = new Retries();
  private final Subscribers subscribers;
  private final Resumption resumption;
  private final NodeMetrics metrics;
  private final JobGauges gauges;

  private JobSupervisor(String jobId, ActorContext<Command> ctx, TimerScheduler<Command> timers,
      JobIndex index, JobSettings settings, JobViews views,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(PersistenceId.of(ENTITY_KEY.name(), jobId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.jobId = jobId;
    this.ctx = ctx;
    this.timers = timers;
    this.index = index;
    this.settings = settings;
    this.views = views;
    this.shard = shard;
    this.metrics = NodeMetrics.get(ctx.getSystem());
    this.gauges = new JobGauges(metrics);
    this.outcomes = new OutcomeBuffer(settings.flushDelay());
    this.subscribers = new Subscribers(views);
    this.handOuts = new HandOuts(jobId, ctx.getSelf(), views, metrics,
        settings.reportGrace().toMillis(),
        new HandOuts.Limits(settings.maxInFlight(), settings.maxInputBytes()));
    this.resumption = new Resumption(jobId, ctx.getLog(), settings.maxLostWorkers(), handOuts,
        outcomes, retries);
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(Worker.KEY,
        ctx.messageAdapter(Receptionist.Listing.class,
            l -> new WorkersChanged(l.getServiceInstances(Worker.KEY)))));
  }

  @Override
  public JobState emptyState() {
    return new JobState();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public SnapshotAdapter<JobState> snapshotAdapter() {
    return JobState.SNAPSHOTS;
  }

  @Override
  public EventHandler<JobState, JobEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(JobState::apply);
  }

  @Override
  public SignalHandler<JobState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        // recovery after a restart reports the job again
        .onSignal(PreRestart.instance(), s -> gauges.unreport())
        .onSignal(PostStop.instance(), s -> gauges.unreport())
        .build();
  }

  private void onRecovered(JobState s) {
    if (resumption.recovered(s)) {
      timers.startTimerWithFixedDelay(Sweep.INSTANCE, SWEEP_EVERY);
      ctx.getSelf().tell(Recovered.INSTANCE);
    } else if (!s.isEmpty()) {
      index.recordFinished(jobId, s.status, s.finishedAt);
      timers.startSingleTimer(Idle.INSTANCE, settings.idleAfterFinish());
    }
    if (!s.isEmpty()) {
      report(s);
    }
  }

  @Override
  public CommandHandlerWithReply<Command, JobEvent, JobState> commandHandler() {
    // Workers are tracked in every state: the receptionist's first listing may arrive before
    // the submission, and a supervisor that dropped it would never hear of a worker again.
    // Offers are answered in every state too, so that no slot a worker lent is ever lost.
    CommandHandlerWithReplyBuilderByState<Command, JobEvent, JobState, JobState> always =
        newCommandHandlerWithReplyBuilder().forAnyState();
    always.onCommand(WorkersChanged.class, this::workersChanged)
        .onCommand(WorkerGone.class, this::workerGone)
        .onCommand(SlotsOffered.class, this::offered);

    CommandHandlerWithReplyBuilderByState<Command, JobEvent, JobState, JobState> empty =
        newCommandHandlerWithReplyBuilder().forState(JobState::isEmpty);
    empty.onCommand(Submit.class, this::submit)
        .onCommand(GetJob.class, (s, c) -> passivateAfter(Effect().reply(c.replyTo(), new JobReply(null))))
        .onCommand(GetTask.class, (s, c) -> passivateAfter(Effect().reply(c.replyTo(), new TaskReply(false, null))))
        .onCommand(GetResults.class, (s, c) -> passivateAfter(Effect().reply(c.replyTo(), new ResultsReply(null))))
        .onCommand(Cancel.class, (s, c) -> passivateAfter(Effect().reply(c.replyTo(), new CancelReply(false, null))))
        .onCommand(GetTaskPage.class, (s, c) -> passivateAfter(Effect().reply(c.replyTo(), new TaskPageReply(null))))
        .onCommand(GetGraph.class, (s, c) -> passivateAfter(Effect().reply(c.replyTo(), new GraphReply(null))))
        .onCommand(Subscribe.class, (s, c) -> {
          c.subscriber().tell(new JobUpdate.NotFound(jobId));
          return passivateAfter(Effect().noReply());
        })
        .onCommand(Wake.class, (s, c) -> {
          // the index named a job whose submission never reached the journal, unless that
          // submission is still on its way: a node that starts wakes the jobs listed as running
          // while other nodes go on accepting new ones
          index.forget(jobId, Instant.now().minus(FORGET_UNSUBMITTED_AFTER));
          return passivateAfter(Effect().noReply());
        })
        .onCommand(Idle.class, (s, c) -> passivateAfter(Effect().noReply()))
        .onCommand(Forget.class, (s, c) -> passivateAfter(Effect().noReply()))
        .onAnyCommand((s, c) -> Effect().noReply());

    CommandHandlerWithReplyBuilderByState<Command, JobEvent, JobState, JobState> job =
        newCommandHandlerWithReplyBuilder().forAnyState();
    job.onCommand(Submit.class, (s, c) -> Effect().reply(c.replyTo(),
            StatusReply.success(new Accepted(jobId, false))))
        .onCommand(GetJob.class, (s, c) -> touched(s, Effect().reply(c.replyTo(), new JobReply(views.job(s)))))
        .onCommand(GetTask.class, this::getTask)
        .onCommand(GetResults.class, (s, c) -> touched(s, Effect().reply(c.replyTo(),
            new ResultsReply(views.results(s, c.all(), c.offset(), c.limit())))))
        .onCommand(Cancel.class, this::cancel)
        .onCommand(GetTaskPage.class, (s, c) -> touched(s, Effect().reply(c.replyTo(),
            new TaskPageReply(JobBrowser.tasks(s, c.template(), c.state(), c.offset(), c.limit())))))
        .onCommand(GetGraph.class, (s, c) -> touched(s, Effect().reply(c.replyTo(), new GraphReply(JobBrowser.graph(s)))))
        .onCommand(Subscribe.class, this::subscribe)
        .onCommand(Unsubscribe.class, (s, c) -> unsubscribed(c.subscriber()))
        .onCommand(SubscriberGone.class, (s, c) -> unsubscribed(c.subscriber()))
        .onCommand(Wake.class, (s, c) -> Effect().noReply())
        .onCommand(TaskFinished.class, this::taskFinished)
        .onCommand(Flush.class, this::flush)
        .onCommand(RetriesDue.class, (s, c) -> {
          retries.queueDue(s);
          scheduleRetries();
          requestWork(s);
          report(s);
          return Effect().noReply();
        })
        .onCommand(Recovered.class, this::recovered)
        .onCommand(Sweep.class, (s, c) -> {
          boolean any = false;
          for (TaskFinished lost : handOuts.overdue(s)) {
            any |= buffered(s, lost) != null;
          }
          if (any) {
            flushSoon();
          }
          handOuts.remindWorkers(s, outcomes.size());
          return Effect().noReply();
        })
        .onCommand(Idle.class, (s, c) -> s.status.finished()
            ? passivateAfter(Effect().noReply()) : Effect().noReply())
        .onCommand(Forget.class, (s, c) -> s.status.finished()
            ? passivateAfter(Effect().noReply()) : Effect().noReply());
    return always.orElse(empty).orElse(job).build();
  }

  private ReplyEffect<JobEvent, JobState> submit(JobState s, Submit c) {
    return Effect().persist(new JobSubmitted(jobId, c.graph(), c.tenant(), System.currentTimeMillis(),
        c.scheduled()))
        .thenRun(st -> {
          ctx.getLog().info("job {} submitted: {} tasks", jobId, st.taskCount());
          timers.startTimerWithFixedDelay(Sweep.INSTANCE, SWEEP_EVERY);
          metrics.jobSubmitted();
          requestWork(st);
          report(st);
        })
        .thenReply(c.replyTo(), st -> StatusReply.success(new Accepted(jobId, true)));
  }

  private ReplyEffect<JobEvent, JobState> getTask(JobState s, GetTask c) {
    int i = s.graph.taskIndex(c.taskId());
    TaskView view = i < 0 ? null : views.task(s, i);
    return touched(s, Effect().reply(c.replyTo(), new TaskReply(true, view)));
  }

  private ReplyEffect<JobEvent, JobState> cancel(JobState s, Cancel c) {
    if (s.status.finished()) {
      return touched(s, Effect().reply(c.replyTo(), new CancelReply(false, views.job(s))));
    }
    return Effect().persist(new JobCancelled(System.currentTimeMillis(), c.reason()))
        .thenRun(st -> {
          ctx.getLog().info("job {} cancelled", jobId);
          handOuts.cancelRunning();
          finished(st);
        })
        .thenReply(c.replyTo(), st -> new CancelReply(true, views.job(st)));
  }

  private ReplyEffect<JobEvent, JobState> subscribe(JobState s, Subscribe c) {
    if (subscribers.add(c.subscriber())) {
      ctx.watchWith(c.subscriber(), new SubscriberGone(c.subscriber()));
    }
    JobView view = views.job(s);
    c.subscriber().tell(new JobUpdate.Snapshot(view, ctx.getSelf()));
    if (s.status.finished()) {
      c.subscriber().tell(new JobUpdate.Finished(view));
    }
    return touched(s, Effect().noReply());
  }

  private ReplyEffect<JobEvent, JobState> unsubscribed(ActorRef<JobUpdate> subscriber) {
    subscribers.remove(subscriber);
    return Effect().noReply();
  }

  private ReplyEffect<JobEvent, JobState> offered(JobState s, SlotsOffered c) {
    HandOuts.Answer answer = handOuts.offered(s, c.agent(), c.node(), c.slots(), c.serves(),
        c.offerId(), outcomes.size(), !subscribers.isEmpty());
    if (!answer.refused().isEmpty()) {
      for (TaskOutcome o : answer.refused()) {
        outcomes.add(o, handOuts.anyOut(), true);
      }
      flushSoon();
    }
    if (answer.durable() == null) {
      send(s, answer);
      return Effect().noReply();
    }
    // durable dispatch: the hand-out is in the journal before the worker can start it
    return Effect().persist(new TasksDispatched(System.currentTimeMillis(), c.node(),
        answer.durable())).thenRun(st -> send(st, answer)).thenNoReply();
  }

  private void send(JobState s, HandOuts.Answer answer) {
    handOuts.send(answer);
    report(s);
    subscribers.started(s, answer.started());
  }

  private void requestWork(JobState s) {
    handOuts.requestWork(s, outcomes.size());
  }

  /** Brings this node's gauges (hosted supervisors, ready tasks, at risk) in step with this job. */
  private void report(JobState s) {
    gauges.report(!s.isEmpty(), s.readyCount(), s.atRisk(System.currentTimeMillis()));
  }

  /** Writes the outcomes buffered so far with the next message, not in this turn. */
  private void flushSoon() {
    timers.cancel(Flush.INSTANCE);
    ctx.getSelf().tell(Flush.INSTANCE);
  }

  private ReplyEffect<JobEvent, JobState> workerGone(JobState s, WorkerGone c) {
    HandOuts.Lost lost = handOuts.workerGone(s, c.worker());
    if (lost == null || s.isEmpty() || s.status != JobStatus.RUNNING) {
      if (!s.isEmpty()) {
        requestWork(s);
      }
      return Effect().noReply();
    }
    ctx.getLog().info("job {}: the worker on {} is gone with {} task(s)", jobId, lost.node(),
        lost.tasks().length);
    TasksLost event = new TasksLost(System.currentTimeMillis(), lost.node(), lost.tasks(),
        settings.maxLostWorkers());
    return Effect().persist(event).thenRun(st -> afterLost(st, event, true)).thenNoReply();
  }

  /** After a recovery of a running job: writes what it means for the hand-outs first. */
  private ReplyEffect<JobEvent, JobState> recovered(JobState s, Recovered c) {
    List<JobEvent> events = resumption.toWrite(s, System.currentTimeMillis());
    if (events.isEmpty()) {
      handOuts.release();
      requestWork(s);
      return Effect().noReply();
    }
    TasksLost lost = Resumption.lost(events);
    return Effect().persist(events).thenRun(st -> {
      handOuts.release();
      if (lost != null) {
        // recovery queued them already
        afterLost(st, lost, false);
      } else {
        requestWork(st);
      }
    }).thenNoReply();
  }

  private void afterLost(JobState s, TasksLost event, boolean requeue) {
    if (requeue) {
      // none of them has an outcome waiting: they were out until their worker went
      for (int i : event.tasks()) {
        s.requeue(i, true);
      }
    }
    subscribers.lost(s, event.tasks(), event.at());
    finishedOrGoOn(s);
  }

  private void scheduleRetries() {
    long in = retries.nextInMillis();
    if (in >= 0) {
      timers.startSingleTimer(RetriesDue.INSTANCE, Duration.ofMillis(in));
    }
  }

  private ReplyEffect<JobEvent, JobState> workersChanged(JobState s, WorkersChanged c) {
    for (ActorRef<Worker> w : c.workers()) {
      if (handOuts.addWorker(w)) {
        ctx.watchWith(w, new WorkerGone(w));
      }
    }
    requestWork(s);
    return Effect().noReply();
  }

  private ReplyEffect<JobEvent, JobState> taskFinished(JobState s, TaskFinished f) {
    OutcomeBuffer.FlushWhen when = buffered(s, f);
    if (when == OutcomeBuffer.FlushWhen.NOW) {
      when = outcomes.nowOrBehindStash();
    }
    if (when == OutcomeBuffer.FlushWhen.NOW) {
      timers.cancel(Flush.INSTANCE);
      return flush(s, Flush.INSTANCE);
    } else if (when == OutcomeBuffer.FlushWhen.BEHIND_STASH) {
      flushSoon();
    } else if (when == OutcomeBuffer.FlushWhen.SOON) {
      timers.startSingleTimer(Flush.INSTANCE, settings.flushDelay());
    }
    return Effect().noReply();
  }

  /** Buffers the report's outcome for the next write; null when the report is ignored. */
  private OutcomeBuffer.FlushWhen buffered(JobState s, TaskFinished f) {
    TaskOutcome o = handOuts.reported(s, f);
    return o == null ? null : outcomes.add(o, handOuts.anyOut(), s.nextReady(null) >= 0);
  }

  /**
   * Writes every outcome that arrived since the last write as one event. While a write is in
   * flight Pekko stashes incoming messages, so the next flush carries all of them.
   */
  private ReplyEffect<JobEvent, JobState> flush(JobState s, Flush f) {
    List<TaskOutcome> written = outcomes.drain();
    if (written.isEmpty() || s.status != JobStatus.RUNNING) {
      return Effect().noReply();
    }
    TasksFinished event = new TasksFinished(System.currentTimeMillis(), written);
    long persistCalled = System.nanoTime();
    return Effect().persist(event).thenRun(st -> {
      long took = System.nanoTime() - persistCalled;
      outcomes.written(took);
      metrics.journalWrite(took, written.size());
      afterOutcomes(st, event);
    }).thenNoReply();
  }

  private void afterOutcomes(JobState s, TasksFinished event) {
    boolean retrying = false;
    for (TaskOutcome o : event.outcomes()) {
      long runMillis = Math.max(0, o.finishedAt() - o.startedAt());
      switch (o.outcome()) {
        case SUCCEEDED -> metrics.taskSucceeded(runMillis);
        case FAILED -> metrics.taskFailed(runMillis);
        case RETRYING -> {
          metrics.taskRetried(runMillis);
          retries.failed(s, o.task(), o.attempt());
          retrying = true;
        }
      }
    }
    if (retrying) {
      scheduleRetries();
    }
    subscribers.outcomes(s, event.outcomes());
    finishedOrGoOn(s);
  }

  /** After a write that may have ended the job: its end, or the next hand-outs. */
  private void finishedOrGoOn(JobState s) {
    if (s.status.finished()) {
      finished(s);
    } else {
      requestWork(s);
      report(s);
    }
  }

  private void finished(JobState s) {
    timers.cancel(Sweep.INSTANCE);
    ctx.getLog().info("job {} finished {}", jobId, s.status);
    metrics.jobFinished(s.status.name());
    report(s);
    subscribers.finished(s);
    index.recordFinished(jobId, s.status, s.finishedAt);
    timers.startSingleTimer(Idle.INSTANCE, settings.idleAfterFinish());
  }

  /** A finished job stays in memory for a while after its last query, then passivates. */
  private ReplyEffect<JobEvent, JobState> touched(JobState s,
      ReplyEffect<JobEvent, JobState> effect) {
    if (s.status.finished()) {
      timers.startSingleTimer(Idle.INSTANCE, settings.idleAfterFinish());
    }
    return effect;
  }

  private ReplyEffect<JobEvent, JobState> passivateAfter(ReplyEffect<JobEvent, JobState> effect) {
    shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    return effect;
  }
}
