package com.calcgrid.job;

import com.calcgrid.CborSerializable;
import com.calcgrid.cluster.NodeAddress;
import com.calcgrid.cluster.Role;
import com.calcgrid.graph.GraphSpec;
import com.calcgrid.job.JobEvent.JobCancelled;
import com.calcgrid.job.JobEvent.JobSubmitted;
import com.calcgrid.job.JobEvent.TaskOutcome;
import com.calcgrid.job.JobEvent.TasksFinished;
import com.calcgrid.metrics.NodeMetrics;
import com.calcgrid.worker.WorkerAgent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 */
public final class JobSupervisor
    extends EventSourcedBehaviorWithEnforcedReplies<JobSupervisor.Command, JobEvent, JobState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Job");

  public sealed interface Command extends CborSerializable {}

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

  public record Cancel(String reason, ActorRef<CancelReply> replyTo) implements Command {}

  /** @param cancelled false when the job had already finished (or does not exist: job null) */
  public record CancelReply(boolean cancelled, JobView job) implements CborSerializable {}

  /** Stream this job's updates to {@code subscriber}, starting with a snapshot. */
  public record Subscribe(ActorRef<JobUpdate> subscriber) implements Command {}

  public record Unsubscribe(ActorRef<JobUpdate> subscriber) implements Command {}

  /** Sent at node start to every unfinished job so that it resumes without a submission. */
  public enum Wake implements Command { INSTANCE }

  /** A worker lends {@code slots} slots; answer with {@link WorkerAgent.RunTasks}. */
  public record SlotsOffered(int slots, ActorRef<WorkerAgent.Command> agent, String node)
      implements Command {}

  /** One attempt ended on a worker. {@code result} is JSON text. */
  public record TaskFinished(int task, int attempt, long dispatchId, boolean succeeded,
      String result, String error, long startedAt, long finishedAt, String node)
      implements Command {}

  private record WorkersChanged(Set<ActorRef<WorkerAgent.Command>> workers) implements Command {}

  private record WorkerGone(ActorRef<WorkerAgent.Command> worker) implements Command {}

  private record SubscriberGone(ActorRef<JobUpdate> subscriber) implements Command {}

  private record RetryDue(int task) implements Command {}

  private enum Flush implements Command { INSTANCE }

  /** Periodic look for hand-outs whose report never came. */
  private enum Sweep implements Command { INSTANCE }

  private static final Duration SWEEP_EVERY = Duration.ofSeconds(5);

  /** Far longer than a submission takes to reach its supervisor (calcgrid.http.ask-timeout). */
  private static final Duration FORGET_UNSUBMITTED_AFTER = Duration.ofMinutes(5);

  private enum Idle implements Command { INSTANCE }

  /** Tuning that rarely changes; see calcgrid.job in application.conf. */
  public record Settings(int snapshotEvery, Duration idleAfterFinish, Duration flushDelay,
      Duration reportGrace) {}

  /** Starts sharding for job supervisors on this node. */
  public static void init(ActorSystem<?> system, JobIndex index, Settings settings,
      com.fasterxml.jackson.databind.ObjectMapper mapper) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            ctx -> create(ctx.getEntityId(), index, settings, mapper, ctx.getShard()))
        .withRole(Role.SCHEDULER.id()));
  }

  /**
   * The supervisor of one job. {@code shard} receives the request to passivate once the job has
   * finished and gone quiet.
   */
  public static Behavior<Command> create(String jobId, JobIndex index, Settings settings,
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
  private final Settings settings;
  private final JobViews views;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Dispatch dispatch;
  private final NodeMetrics metrics;

  private JobSupervisor(String jobId, ActorContext<Command> ctx, TimerScheduler<Command> timers,
      JobIndex index, Settings settings, JobViews views,
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
    this.dispatch = new Dispatch(jobId, ctx.getSelf(), views, metrics,
        settings.reportGrace().toMillis());
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(WorkerAgent.KEY,
        ctx.messageAdapter(Receptionist.Listing.class,
            l -> new WorkersChanged(l.getServiceInstances(WorkerAgent.KEY)))));
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
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(JobState state) {
        return state.snapshot();
      }

      @Override
      public JobState fromJournal(Object from) {
        return JobState.fromSnapshot((JobSnapshot) from);
      }
    };
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
        .onSignal(PreRestart.instance(), s -> dispatch.unreport())
        .onSignal(PostStop.instance(), s -> dispatch.unreport())
        .build();
  }

  private void onRecovered(JobState s) {
    // after a restart (journal failure) what this incarnation handed out is void
    dispatch.reset();
    if (s.isEmpty()) {
      return;
    }
    if (s.status == JobStatus.RUNNING) {
      s.rebuildReadyQueue();
      timers.startTimerWithFixedDelay(Sweep.INSTANCE, SWEEP_EVERY);
      ctx.getLog().info("job {} recovered: {} of {} tasks still to run", jobId,
          s.unfinishedTasks(), s.taskCount());
      dispatch.requestWork(s);
    } else {
      index.recordFinished(jobId, s.status, s.finishedAt);
      timers.startSingleTimer(Idle.INSTANCE, settings.idleAfterFinish());
    }
    dispatch.report(s);
  }

  @Override
  public CommandHandlerWithReply<Command, JobEvent, JobState> commandHandler() {
    // Workers are tracked in every state: the receptionist's first listing may arrive before
    // the submission, and a supervisor that dropped it would never hear of a worker again.
    // Offers are answered in every state too, so that no slot a worker lent is ever lost.
    CommandHandlerWithReplyBuilderByState<Command, JobEvent, JobState, JobState> always =
        newCommandHandlerWithReplyBuilder().forAnyState();
    always.onCommand(WorkersChanged.class, this::workersChanged)
        .onCommand(WorkerGone.class, (s, c) -> {
          dispatch.workerGone(s, c.worker());
          return Effect().noReply();
        })
        .onCommand(SlotsOffered.class, (s, c) -> {
          dispatch.offered(s, c);
          return Effect().noReply();
        });

    CommandHandlerWithReplyBuilderByState<Command, JobEvent, JobState, JobState> empty =
        newCommandHandlerWithReplyBuilder().forState(JobState::isEmpty);
    empty.onCommand(Submit.class, this::submit)
        .onCommand(GetJob.class, (s, c) -> passivateAfter(Effect().reply(c.replyTo(), new JobReply(null))))
        .onCommand(GetTask.class, (s, c) -> passivateAfter(Effect().reply(c.replyTo(), new TaskReply(false, null))))
        .onCommand(GetResults.class, (s, c) -> passivateAfter(Effect().reply(c.replyTo(), new ResultsReply(null))))
        .onCommand(Cancel.class, (s, c) -> passivateAfter(Effect().reply(c.replyTo(), new CancelReply(false, null))))
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
        .onCommand(Subscribe.class, this::subscribe)
        .onCommand(Unsubscribe.class, (s, c) -> {
          dispatch.subscribers.remove(c.subscriber());
          return Effect().noReply();
        })
        .onCommand(SubscriberGone.class, (s, c) -> {
          dispatch.subscribers.remove(c.subscriber());
          return Effect().noReply();
        })
        .onCommand(Wake.class, (s, c) -> Effect().noReply())
        .onCommand(TaskFinished.class, this::taskFinished)
        .onCommand(Flush.class, this::flush)
        .onCommand(RetryDue.class, (s, c) -> {
          s.requeue(c.task());
          dispatch.requestWork(s);
          return Effect().noReply();
        })
        .onCommand(Sweep.class, (s, c) -> {
          boolean any = false;
          for (TaskFinished lost : dispatch.overdue()) {
            any |= buffered(s, lost) != null;
          }
          if (any) {
            timers.cancel(Flush.INSTANCE);
            ctx.getSelf().tell(Flush.INSTANCE);
          }
          return Effect().noReply();
        })
        .onCommand(Idle.class, (s, c) -> s.status.finished()
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
          dispatch.requestWork(st);
          dispatch.report(st);
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
          dispatch.cancelRunning();
          finished(st);
        })
        .thenReply(c.replyTo(), st -> new CancelReply(true, views.job(st)));
  }

  private ReplyEffect<JobEvent, JobState> subscribe(JobState s, Subscribe c) {
    if (dispatch.subscribers.add(c.subscriber())) {
      ctx.watchWith(c.subscriber(), new SubscriberGone(c.subscriber()));
    }
    JobView view = views.job(s);
    c.subscriber().tell(new JobUpdate.Snapshot(view, ctx.getSelf()));
    if (s.status.finished()) {
      c.subscriber().tell(new JobUpdate.Finished(view));
    }
    return touched(s, Effect().noReply());
  }

  private ReplyEffect<JobEvent, JobState> workersChanged(JobState s, WorkersChanged c) {
    for (ActorRef<WorkerAgent.Command> w : c.workers()) {
      if (dispatch.addWorker(w)) {
        ctx.watchWith(w, new WorkerGone(w));
      }
    }
    dispatch.requestWork(s);
    return Effect().noReply();
  }

  private ReplyEffect<JobEvent, JobState> taskFinished(JobState s, TaskFinished f) {
    Dispatch.FlushWhen when = buffered(s, f);
    if (when == Dispatch.FlushWhen.NOW) {
      // written in this turn rather than after a message to ourselves: a chain waits for it
      timers.cancel(Flush.INSTANCE);
      return flush(s, Flush.INSTANCE);
    }
    if (when == Dispatch.FlushWhen.SOON) {
      timers.startSingleTimer(Flush.INSTANCE, settings.flushDelay());
    }
    return Effect().noReply();
  }

  /** Buffers the report's outcome for the next write; null when the report is ignored. */
  private Dispatch.FlushWhen buffered(JobState s, TaskFinished f) {
    if (s.status != JobStatus.RUNNING) {
      return null;
    }
    TaskOutcome outcome = dispatch.accept(s, f);
    if (outcome == null) {
      return null;
    }
    return dispatch.buffer(outcome, s.ready.peek(s.taskStatus) >= 0);
  }

  /**
   * Writes every outcome that arrived since the last write as one event. While a write is in
   * flight Pekko stashes incoming messages, so the next flush carries all of them.
   */
  private ReplyEffect<JobEvent, JobState> flush(JobState s, Flush f) {
    List<TaskOutcome> outcomes = dispatch.drain();
    if (outcomes.isEmpty() || s.status != JobStatus.RUNNING) {
      return Effect().noReply();
    }
    TasksFinished event = new TasksFinished(System.currentTimeMillis(), outcomes);
    long persistCalled = System.nanoTime();
    return Effect().persist(event).thenRun(st -> {
      metrics.journalWrite(System.nanoTime() - persistCalled, outcomes.size());
      afterOutcomes(st, event);
    }).thenNoReply();
  }

  private void afterOutcomes(JobState s, TasksFinished event) {
    for (TaskOutcome o : event.outcomes()) {
      long runMillis = Math.max(0, o.finishedAt() - o.startedAt());
      switch (o.outcome()) {
        case SUCCEEDED -> metrics.taskSucceeded(runMillis);
        case FAILED -> metrics.taskFailed(runMillis);
        case RETRYING -> {
          metrics.taskRetried(runMillis);
          long wait = s.graph.template(s.graph.templateOf(o.task())).retry()
              .backoffAfter(o.attempt(), java.util.concurrent.ThreadLocalRandom.current().nextDouble());
          timers.startSingleTimer(new RetryDue(o.task()), Duration.ofMillis(wait));
        }
      }
    }
    dispatch.publishOutcomes(s, event);
    if (s.status.finished()) {
      finished(s);
    } else {
      dispatch.requestWork(s);
      dispatch.report(s);
    }
  }

  private void finished(JobState s) {
    timers.cancel(Sweep.INSTANCE);
    ctx.getLog().info("job {} finished {}", jobId, s.status);
    metrics.jobFinished(s.status.name());
    dispatch.report(s);
    dispatch.publishFinished(s);
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
