package com.calcgrid.schedule;

import com.calcgrid.CborSerializable;
import com.calcgrid.cluster.NodeAddress;
import com.calcgrid.cluster.Role;
import com.calcgrid.metrics.NodeMetrics;
import com.calcgrid.schedule.Firing.Kind;
import com.calcgrid.schedule.Firing.Outcome;
import com.calcgrid.schedule.ScheduleEvent.FiringBuffered;
import com.calcgrid.schedule.ScheduleEvent.FiringRecorded;
import com.calcgrid.schedule.ScheduleEvent.FiringRefused;
import com.calcgrid.schedule.ScheduleEvent.FiringSkipped;
import com.calcgrid.schedule.ScheduleEvent.FiringSubmitted;
import com.calcgrid.schedule.ScheduleEvent.FiringsMissed;
import com.calcgrid.schedule.ScheduleEvent.FiringsRequested;
import com.calcgrid.schedule.ScheduleEvent.ScheduleChanged;
import com.calcgrid.schedule.ScheduleEvent.ScheduleCreated;
import com.calcgrid.schedule.ScheduleEvent.ScheduleDeleted;
import com.calcgrid.schedule.ScheduleEvent.SchedulePaused;
import com.calcgrid.schedule.ScheduleEvent.ScheduleResumed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One per schedule, hosted by Cluster Sharding with remembered entities, so that it is started
 * again on a surviving node when its node is lost. It keeps one timer, to its next firing.
 *
 * <p>Each firing is decided (run, buffered, skipped) and persisted before anything else happens;
 * a firing that runs is recorded with the id of its job before the job is submitted, and after a
 * crash every recorded firing whose job is not known to be accepted is submitted again under
 * that id, which finds the job if it exists. So a firing never starts two jobs, and one that was
 * recorded always starts one. Scheduled firings missed while the schedule was not running (all
 * nodes down, its node lost) run in order if they are younger than the catch-up window, and are
 * recorded as missed otherwise.
 */
public final class ScheduleEntity extends EventSourcedBehaviorWithEnforcedReplies<
    ScheduleEntity.Command, ScheduleEvent, ScheduleState> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Schedule");

  public sealed interface Command extends CborSerializable {}

  /** Creates the schedule; fields are checked by the caller. Replies with its view. */
  public record Create(String tenant, ScheduleSpec spec, boolean paused,
      ActorRef<StatusReply<ScheduleView>> replyTo) implements Command {}

  public record Get(ActorRef<ViewReply> replyTo) implements Command {}

  /** {@code schedule} is null when there is no such schedule (or it was deleted). */
  public record ViewReply(ScheduleView schedule) implements CborSerializable {}

  /** New fields ({@code spec}, null to keep them) and pausing ({@code paused}, null to keep). */
  public record Change(ScheduleSpec spec, Boolean paused, ActorRef<ViewReply> replyTo)
      implements Command {}

  /** Replies with the schedule as it was, or null if there was none. */
  public record Delete(ActorRef<ViewReply> replyTo) implements Command {}

  /** A firing now, decided by the overlap policy like any other. */
  public record Trigger(ActorRef<StatusReply<Requested>> replyTo) implements Command {}

  /** The scheduled firings from {@code from} to {@code to} (inclusive), in order. */
  public record Backfill(Instant from, Instant to, ActorRef<StatusReply<Requested>> replyTo)
      implements Command {}

  /**
   * Firings accepted for deciding.
   *
   * @param jobs the id of the job each firing starts if the overlap policy lets it run
   */
  public record Requested(List<Instant> scheduledFor, List<String> jobs)
      implements CborSerializable {}

  /** Sent at node start to every listed schedule, so that each runs without a request. */
  public enum Wake implements Command { INSTANCE }

  /** Decide what is due; package-private so that a test with its own clock can send it. */
  enum Tick implements Command { INSTANCE }

  private record PreviousChecked(Firing firing, String previous, boolean running)
      implements Command {}

  private record SubmitDone(Instant scheduledFor, FiringSubmitter.Outcome outcome)
      implements Command {}

  private record SubmitFailed(Instant scheduledFor, String error) implements Command {}

  private enum RetryPending implements Command { INSTANCE }

  /**
   * @param maxBackfill firings one backfill (and all waiting ones together) may ask for
   * @param lateTolerance a firing this late still runs even with a smaller catch-up window
   * @param bufferPoll how often a buffered firing looks whether the previous job has ended
   * @param retryDelay wait before submitting a recorded firing again after a failure
   * @param refuseAfter how long a firing refused for the running-jobs limits keeps trying, at
   *     least; its catch-up window if that is longer
   */
  public record Settings(int maxBackfill, Duration lateTolerance, Duration bufferPoll,
      Duration retryDelay, Duration refuseAfter) {}

  /** Most missed firings counted one by one; beyond, the range is recorded as "at least". */
  private static final int MAX_MISSED_COUNTED = 10_000;
  /** The timer never waits longer, so that a changed system clock is noticed. */
  private static final Duration MAX_TIMER = Duration.ofHours(1);
  private static final int NEXT_SHOWN = 5;

  /** Starts sharding for schedules on this node. */
  public static void init(ActorSystem<?> system, FiringSubmitter submitter, ScheduleIndex index,
      Settings settings, Clock clock) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(),
            submitter, index, settings, clock, ctx.getShard()))
        .withRole(Role.SCHEDULER.id()));
  }

  public static Behavior<Command> create(String id, FiringSubmitter submitter,
      ScheduleIndex index, Settings settings, Clock clock,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new ScheduleEntity(id, ctx, timers, submitter, index, settings, clock, shard)));
  }

  private final String id;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final FiringSubmitter submitter;
  private final ScheduleIndex index;
  private final Settings settings;
  private final Clock clock;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final NodeMetrics metrics;
  /** Firings whose job is being submitted by this incarnation. */
  private final Set<Instant> inFlight = new HashSet<>();
  /** A decision waits for the state of the previous job; nothing else is decided meanwhile. */
  private boolean deciding;
  /** The buffered firing looks at the previous job again from this instant on. */
  private Instant bufferRecheckAt = Instant.MIN;
  private ScheduleSpec cronOf;
  private CronSchedule cron;

  private ScheduleEntity(String id, ActorContext<Command> ctx, TimerScheduler<Command> timers,
      FiringSubmitter submitter, ScheduleIndex index, Settings settings, Clock clock,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(PersistenceId.of(ENTITY_KEY.name(), id),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.id = id;
    this.ctx = ctx;
    this.timers = timers;
    this.submitter = submitter;
    this.index = index;
    this.settings = settings;
    this.clock = clock;
    this.shard = shard;
    this.metrics = NodeMetrics.get(ctx.getSystem());
  }

  @Override
  public ScheduleState emptyState() {
    return ScheduleState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // the state holds the recent history: older events are of no use and would pile up
    return RetentionCriteria.snapshotEvery(100, 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public EventHandler<ScheduleState, ScheduleEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(ScheduleState::apply);
  }

  @Override
  public SignalHandler<ScheduleState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .build();
  }

  private void onRecovered(ScheduleState s) {
    if (s.spec() == null) {
      return;
    }
    if (s.deleted()) {
      index.remove(id);
    } else {
      writeRow(s);
    }
    // recorded firings whose job may not exist yet: submitted again under the same job id
    for (Firing f : s.pending()) {
      submit(s, f);
    }
    if (s.deleted() && s.pending().isEmpty()) {
      passivate();
      return;
    }
    ctx.getSelf().tell(Tick.INSTANCE);
  }

  @Override
  public CommandHandlerWithReply<Command, ScheduleEvent, ScheduleState> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Create.class, this::onCreate)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), new ViewReply(view(s))))
        .onCommand(Change.class, this::onChange)
        .onCommand(Delete.class, this::onDelete)
        .onCommand(Trigger.class, this::onTrigger)
        .onCommand(Backfill.class, this::onBackfill)
        .onCommand(Wake.class, (s, c) -> {
          if (s.spec() == null) {
            passivate();
          }
          return Effect().noReply();
        })
        .onCommand(Tick.class, (s, c) -> tick(s))
        .onCommand(PreviousChecked.class, this::onPreviousChecked)
        .onCommand(SubmitDone.class, this::onSubmitDone)
        .onCommand(SubmitFailed.class, (s, c) -> {
          inFlight.remove(c.scheduledFor());
          ctx.getLog().warn("schedule {}: the job of firing {} could not be submitted ({}); "
              + "retrying", id, c.scheduledFor(), c.error());
          timers.startSingleTimer(RetryPending.INSTANCE, settings.retryDelay());
          return Effect().noReply();
        })
        .onCommand(RetryPending.class, (s, c) -> {
          s.pending().forEach(f -> submit(s, f));
          return Effect().noReply();
        })
        .build();
  }

  // ---- requests ----

  private ReplyEffect<ScheduleEvent, ScheduleState> onCreate(ScheduleState s, Create c) {
    if (s.spec() != null) {
      return Effect().reply(c.replyTo(), StatusReply.error("schedule " + id + " exists"));
    }
    return Effect().persist(new ScheduleCreated(id, c.tenant(), c.spec(), c.paused(), now()))
        .thenRun(st -> {
          ctx.getLog().info("schedule {} created for tenant {}: '{}' in {}", id, st.tenant(),
              st.spec().cron(), st.spec().timeZone());
          writeRow(st);
          ctx.getSelf().tell(Tick.INSTANCE);
        })
        .thenReply(c.replyTo(), st -> StatusReply.success(view(st)));
  }

  private ReplyEffect<ScheduleEvent, ScheduleState> onChange(ScheduleState s, Change c) {
    if (!s.exists()) {
      return Effect().reply(c.replyTo(), new ViewReply(null));
    }
    Instant now = now();
    List<ScheduleEvent> events = new ArrayList<>();
    if (c.spec() != null && !c.spec().equals(s.spec())) {
      events.add(new ScheduleChanged(c.spec(), now));
    }
    if (c.paused() != null && c.paused() != s.paused()) {
      events.add(c.paused() ? new SchedulePaused(now) : new ScheduleResumed(now));
    }
    if (events.isEmpty()) {
      return Effect().reply(c.replyTo(), new ViewReply(view(s)));
    }
    return Effect().persist(events)
        .thenRun(st -> {
          writeRow(st);
          ctx.getSelf().tell(Tick.INSTANCE);
        })
        .thenReply(c.replyTo(), st -> new ViewReply(view(st)));
  }

  private ReplyEffect<ScheduleEvent, ScheduleState> onDelete(ScheduleState s, Delete c) {
    if (!s.exists()) {
      return Effect().reply(c.replyTo(), new ViewReply(null));
    }
    ScheduleView before = view(s);
    return Effect().persist(new ScheduleDeleted(now()))
        .thenRun(st -> {
          ctx.getLog().info("schedule {} deleted", id);
          timers.cancel(Tick.INSTANCE);
          index.remove(id);
          if (st.pending().isEmpty()) {
            passivate();
          }
        })
        .thenReply(c.replyTo(), st -> new ViewReply(before));
  }

  private ReplyEffect<ScheduleEvent, ScheduleState> onTrigger(ScheduleState s, Trigger c) {
    if (!s.exists()) {
      return Effect().reply(c.replyTo(), StatusReply.error("no schedule " + id));
    }
    if (s.backlog().size() >= settings.maxBackfill()) {
      return Effect().reply(c.replyTo(), StatusReply.error(s.backlog().size()
          + " firings asked for earlier still wait, the most that may; retry when they ran"));
    }
    return request(s, List.of(now().truncatedTo(ChronoUnit.MILLIS)), Kind.MANUAL, c.replyTo());
  }

  private ReplyEffect<ScheduleEvent, ScheduleState> onBackfill(ScheduleState s, Backfill c) {
    if (!s.exists()) {
      return Effect().reply(c.replyTo(), StatusReply.error("no schedule " + id));
    }
    int room = settings.maxBackfill() - s.backlog().size();
    List<Instant> times = new ArrayList<>();
    Instant t = c.from().minusMillis(1);
    while ((t = cron(s).next(t)) != null && !t.isAfter(c.to()) && times.size() <= room) {
      times.add(t);
    }
    if (times.isEmpty()) {
      return Effect().reply(c.replyTo(), StatusReply.error("'" + s.spec().cron() + "' in "
          + s.spec().timeZone() + " has no firing from " + c.from() + " to " + c.to()));
    }
    if (times.size() > room) {
      return Effect().reply(c.replyTo(), StatusReply.error("from " + c.from() + " to "
          + c.to() + " holds more than " + room + " firings, the most one backfill may ask for"
          + (room < settings.maxBackfill() ? " while " + s.backlog().size()
              + " asked for earlier still wait" : "") + " (calcgrid.schedules.max-backfill "
          + settings.maxBackfill() + "); ask for a shorter range"));
    }
    return request(s, times, Kind.BACKFILL, c.replyTo());
  }

  private ReplyEffect<ScheduleEvent, ScheduleState> request(ScheduleState s, List<Instant> times,
      Kind kind, ActorRef<StatusReply<Requested>> replyTo) {
    List<String> jobs = times.stream()
        .map(t -> FiringSubmitter.jobIdFor(s.tenant(), id, t, kind)).toList();
    return Effect().persist(new FiringsRequested(times, kind, now()))
        .thenRun(st -> ctx.getSelf().tell(Tick.INSTANCE))
        .thenReply(replyTo, st -> StatusReply.success(new Requested(times, jobs)));
  }

  // ---- deciding firings ----

  /** Decides the next firing that is due, if any, else sets the timer to the next one. */
  private ReplyEffect<ScheduleEvent, ScheduleState> tick(ScheduleState s) {
    if (!s.exists() || deciding) {
      return Effect().noReply();
    }
    Instant now = now();
    if (s.buffered() != null && !now.isBefore(bufferRecheckAt)) {
      return decide(s, s.buffered());
    }
    Instant due = s.paused() ? null : nextScheduled(s);
    if (due != null && !due.isAfter(now)) {
      Duration window = s.spec().catchUpWindow().compareTo(settings.lateTolerance()) > 0
          ? s.spec().catchUpWindow() : settings.lateTolerance();
      Instant windowStart = now.minus(window);
      if (due.isBefore(windowStart)) {
        return missed(s, due, windowStart, now);
      }
      return decide(s, new Firing(due, Kind.SCHEDULED, Outcome.RECORDED, null, now, null));
    }
    if (!s.backlog().isEmpty()) {
      return decide(s, s.backlog().get(0));
    }
    arm(s, now, due);
    return Effect().noReply();
  }

  /** One timer: to the next scheduled firing, or to the buffered firing's next look. */
  private void arm(ScheduleState s, Instant now, Instant due) {
    Instant wake = due;
    if (s.buffered() != null && (wake == null || bufferRecheckAt.isBefore(wake))) {
      wake = bufferRecheckAt;
    }
    if (wake == null) {
      timers.cancel(Tick.INSTANCE);
      return;
    }
    Duration delay = Duration.between(now, wake);
    if (delay.isNegative()) {
      delay = Duration.ZERO;
    }
    timers.startSingleTimer(Tick.INSTANCE, delay.compareTo(MAX_TIMER) > 0 ? MAX_TIMER : delay);
  }

  private ReplyEffect<ScheduleEvent, ScheduleState> missed(ScheduleState s, Instant from,
      Instant windowStart, Instant now) {
    long count = 0;
    Instant last = from;
    Instant t = from;
    while (t != null && t.isBefore(windowStart) && count < MAX_MISSED_COUNTED) {
      count++;
      last = t;
      t = cron(s).next(t);
    }
    boolean atLeast = t != null && t.isBefore(windowStart);
    Instant to = atLeast ? windowStart.minusMillis(1) : last;
    long n = count;
    ctx.getLog().warn("schedule {}: {}{} firing(s) from {} to {} missed, older than the "
        + "catch-up window", id, atLeast ? "at least " : "", n, from, to);
    return Effect().persist(new FiringsMissed(from, to, n, atLeast, now))
        .thenRun(st -> {
          metrics.scheduleMissed(n);
          ctx.getSelf().tell(Tick.INSTANCE);
        })
        .thenNoReply();
  }

  /** Runs the firing, or first asks whether the previous job still runs. */
  private ReplyEffect<ScheduleEvent, ScheduleState> decide(ScheduleState s, Firing f) {
    String previous = s.lastJob();
    if (s.spec().overlap() == Overlap.ALLOW || previous == null) {
      return record(s, f, null);
    }
    if (s.pending().stream().anyMatch(p -> previous.equals(p.job()))) {
      // recorded and not yet accepted: as good as running
      return decided(s, new PreviousChecked(f, previous, true));
    }
    deciding = true;
    ctx.pipeToSelf(submitter.isRunning(previous),
        // a job that does not answer is presumed running: no two at once by mistake
        (running, error) -> new PreviousChecked(f, previous, error != null || running));
    return Effect().noReply();
  }

  private ReplyEffect<ScheduleEvent, ScheduleState> onPreviousChecked(ScheduleState s,
      PreviousChecked c) {
    deciding = false;
    if (!s.exists() || !c.previous().equals(s.lastJob())) {
      ctx.getSelf().tell(Tick.INSTANCE);
      return Effect().noReply();
    }
    return decided(s, c);
  }

  private ReplyEffect<ScheduleEvent, ScheduleState> decided(ScheduleState s, PreviousChecked c) {
    Firing f = c.firing();
    if (!c.running()) {
      // the buffered firing goes first; the one at hand is decided after it, against its job
      return record(s, s.buffered() != null ? s.buffered() : f, null);
    }
    Instant now = now();
    if (f.outcome() == Outcome.BUFFERED) {
      bufferRecheckAt = now.plus(settings.bufferPoll());
      ctx.getSelf().tell(Tick.INSTANCE);
      return Effect().noReply();
    }
    String why = "job " + c.previous() + " of the previous firing was still running";
    return switch (s.spec().overlap()) {
      case SKIP -> skip(f, why, now);
      case BUFFER_ONE -> s.buffered() != null
          ? skip(f, why + " and firing " + s.buffered().scheduledFor() + " already waited for it",
              now)
          : Effect().persist(new FiringBuffered(f.scheduledFor(), f.kind(), now))
              .thenRun(st -> {
                bufferRecheckAt = now.plus(settings.bufferPoll());
                ctx.getSelf().tell(Tick.INSTANCE);
              })
              .thenNoReply();
      case CANCEL_PREVIOUS -> record(s, f, c.previous());
      case ALLOW -> record(s, f, null);
    };
  }

  private ReplyEffect<ScheduleEvent, ScheduleState> skip(Firing f, String why, Instant now) {
    return Effect().persist(new FiringSkipped(f.scheduledFor(), f.kind(), why, now))
        .thenRun(st -> {
          metrics.scheduleFiring("skipped");
          ctx.getSelf().tell(Tick.INSTANCE);
        })
        .thenNoReply();
  }

  /**
   * Persists the firing with its job's id, then submits the job: after cancelling
   * {@code cancelFirst} when that is not null.
   */
  private ReplyEffect<ScheduleEvent, ScheduleState> record(ScheduleState s, Firing f,
      String cancelFirst) {
    String job = FiringSubmitter.jobIdFor(s.tenant(), id, f.scheduledFor(), f.kind());
    return Effect().persist(new FiringRecorded(f.scheduledFor(), f.kind(), job, now()))
        .thenRun(st -> {
          Firing recorded = st.pendingAt(f.scheduledFor());
          if (cancelFirst == null) {
            submit(st, recorded);
          } else {
            inFlight.add(recorded.scheduledFor());
            String reason = "cancelled by schedule " + id + ": firing " + f.scheduledFor()
                + " replaces it";
            ctx.pipeToSelf(submitter.cancel(cancelFirst, reason)
                    .handle((x, e) -> null)
                    .thenCompose(x -> submitter.submit(st.tenant(), id, recorded,
                        st.spec().graph())),
                (o, e) -> e == null ? new SubmitDone(recorded.scheduledFor(), o)
                    : new SubmitFailed(recorded.scheduledFor(), e.toString()));
          }
          ctx.getSelf().tell(Tick.INSTANCE);
        })
        .thenNoReply();
  }

  private void submit(ScheduleState s, Firing f) {
    if (!inFlight.add(f.scheduledFor())) {
      return;
    }
    ctx.pipeToSelf(submitter.submit(s.tenant(), id, f, s.spec().graph()),
        (o, e) -> e == null ? new SubmitDone(f.scheduledFor(), o)
            : new SubmitFailed(f.scheduledFor(), e.toString()));
  }

  private ReplyEffect<ScheduleEvent, ScheduleState> onSubmitDone(ScheduleState s, SubmitDone d) {
    inFlight.remove(d.scheduledFor());
    Firing f = s.pendingAt(d.scheduledFor());
    if (f == null) {
      return Effect().noReply();
    }
    FiringSubmitter.Outcome o = d.outcome();
    Instant now = now();
    return switch (o.result()) {
      case CREATED, EXISTED -> Effect()
          .persist(new FiringSubmitted(f.scheduledFor(), o.job(), o.result()
              == FiringSubmitter.Result.CREATED, now))
          .thenRun(st -> {
            if (o.result() == FiringSubmitter.Result.CREATED) {
              metrics.scheduleFired(Duration.between(f.scheduledFor(), now).toMillis());
            }
            submitRepeat(st, d.scheduledFor());
            passivateIfDone(st);
          })
          .thenNoReply();
      case INVALID -> refuse(f, o.detail(), now);
      case TENANT_FULL, CLUSTER_FULL -> {
        Duration patience = s.spec().catchUpWindow().compareTo(settings.refuseAfter()) > 0
            ? s.spec().catchUpWindow() : settings.refuseAfter();
        if (now.isAfter(f.scheduledFor().plus(patience))) {
          yield refuse(f, o.detail() + " for " + patience, now);
        }
        timers.startSingleTimer(RetryPending.INSTANCE, settings.retryDelay());
        yield Effect().noReply();
      }
    };
  }

  private ReplyEffect<ScheduleEvent, ScheduleState> refuse(Firing f, String why, Instant now) {
    ctx.getLog().warn("schedule {}: firing {} refused: {}", id, f.scheduledFor(), why);
    return Effect().persist(new FiringRefused(f.scheduledFor(), why, now))
        .thenRun(st -> {
          metrics.scheduleFiring("refused");
          submitRepeat(st, f.scheduledFor());
          passivateIfDone(st);
        })
        .thenNoReply();
  }

  /**
   * A firing of the same instant recorded while this one's submission was out (a backfill asked
   * again): it was not submitted then, one submission per instant at a time, so it goes now.
   */
  private void submitRepeat(ScheduleState s, Instant scheduledFor) {
    Firing repeat = s.pendingAt(scheduledFor);
    if (repeat != null) {
      submit(s, repeat);
    }
  }

  private void passivateIfDone(ScheduleState s) {
    if (s.deleted() && s.pending().isEmpty()) {
      passivate();
    }
  }

  private void passivate() {
    shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
  }

  // ---- helpers ----

  private Instant now() {
    return clock.instant();
  }

  private CronSchedule cron(ScheduleState s) {
    if (cronOf != s.spec()) {
      cron = s.spec().schedule();
      cronOf = s.spec();
    }
    return cron;
  }

  /** The scheduled firing after the cursor, or null if there is none before the end. */
  private Instant nextScheduled(ScheduleState s) {
    Instant t = cron(s).next(s.cursor());
    return t == null || (s.spec().endAt() != null && t.isAfter(s.spec().endAt())) ? null : t;
  }

  private void writeRow(ScheduleState s) {
    index.put(ScheduleIndex.rowOf(s)).whenComplete((x, e) -> {
      if (e != null) {
        ctx.getSystem().log().warn("schedule {}: its row in the schedule list was not written "
            + "({}); it is written again when the schedule next recovers", id, e.toString());
      }
    });
  }

  private ScheduleView view(ScheduleState s) {
    if (!s.exists()) {
      return null;
    }
    ScheduleSpec spec = s.spec();
    List<Instant> next = new ArrayList<>();
    if (!s.paused()) {
      Instant t = s.cursor();
      while (next.size() < NEXT_SHOWN && (t = cron(s).next(t)) != null
          && (spec.endAt() == null || !t.isAfter(spec.endAt()))) {
        next.add(t);
      }
    }
    List<Firing> last = new ArrayList<>(s.history());
    java.util.Collections.reverse(last);
    List<ScheduleView.Missed> missed = new ArrayList<>();
    for (int i = s.missed().size() - 1; i >= 0; i--) {
      FiringsMissed m = s.missed().get(i);
      missed.add(new ScheduleView.Missed(m.from(), m.to(), m.count(), m.atLeast(), m.at()));
    }
    return new ScheduleView(s.id(), s.tenant(), spec.name(), spec.cron(), spec.timeZone(),
        spec.overlap().wire(), spec.catchUpWindow().toString(), spec.startAt(), spec.endAt(),
        s.paused(), s.createdAt(), s.updatedAt(), spec.graph(), next, s.pending(), s.buffered(),
        last, missed, new ScheduleView.Counts(s.fired(), s.skipped(), s.missedCount()),
        NodeAddress.of(ctx.getSystem().address()));
  }
}
