package com.calcgrid.job;

import com.calcgrid.cluster.Role;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Deletes jobs that finished longer ago than calcgrid.retention.keep-finished
 * ({@code CALCGRID_RETENTION}), looking every calcgrid.retention.check-every. One instance runs
 * in the cluster, a singleton on the oldest scheduler node: every node running it would have
 * them all pick the same oldest jobs and purge them side by side. It deletes a batch of jobs,
 * one job after the other and each job's events in small batches ({@link JobDeletion}), then
 * the next batch at once while jobs are due, so a backlog drains without a long transaction
 * holding up the journal. A failed round is logged and tried again at the next look.
 */
public final class JobRetention extends AbstractBehavior<JobRetention.Command> {

  /**
   * @param keepFinished finished jobs older than this are deleted
   * @param checkEvery how often to look for them
   * @param jobsPerBatch jobs listed and deleted per round
   * @param eventsPerBatch journal events deleted per statement
   */
  public record Settings(Duration keepFinished, Duration checkEvery, int jobsPerBatch,
      int eventsPerBatch) {
    /** @throws IllegalArgumentException naming the setting, for the node to refuse to start */
    public static Settings fromConfig(Config config) {
      Duration keep = duration(config, "calcgrid.retention.keep-finished", "CALCGRID_RETENTION");
      Duration every = duration(config, "calcgrid.retention.check-every",
          "CALCGRID_RETENTION_CHECK_EVERY");
      if (keep.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("calcgrid.retention.keep-finished"
            + " (CALCGRID_RETENTION) must be at least 1s, got " + keep);
      }
      if (every.compareTo(Duration.ofMillis(100)) < 0
          || every.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("calcgrid.retention.check-every"
            + " (CALCGRID_RETENTION_CHECK_EVERY) must be from 100ms to 1m, got " + every);
      }
      int batch = config.getInt("calcgrid.retention.jobs-per-batch");
      if (batch < 1 || batch > 1000) {
        throw new IllegalArgumentException("calcgrid.retention.jobs-per-batch must be from 1"
            + " to 1000, got " + batch);
      }
      int events = config.getInt("calcgrid.retention.events-per-batch");
      if (events < 1 || events > 10_000) {
        throw new IllegalArgumentException("calcgrid.retention.events-per-batch must be from 1"
            + " to 10000, got " + events);
      }
      return new Settings(keep, every, batch, events);
    }

    private static Duration duration(Config config, String path, String env) {
      try {
        return config.getDuration(path);
      } catch (ConfigException.BadValue | ConfigException.WrongType e) {
        throw new IllegalArgumentException(path + " (" + env + ") must be a duration such as"
            + " 30s, 12h or 7d, got '" + config.getValue(path).unwrapped() + "'");
      }
    }
  }

  /** What the retention actor receives; only its own timer and rounds. */
  public sealed interface Command {}

  private enum Look implements Command { INSTANCE }

  private record RoundDone(int deleted, boolean more, Throwable error) implements Command {}

  /** Starts the singleton (a proxy on nodes without the scheduler role). */
  public static void init(ActorSystem<?> system, Jobs jobs, JobDeletion deletion,
      Settings settings) {
    ClusterSingleton.get(system).init(SingletonActor.of(
            Behaviors.supervise(create(jobs, deletion, settings))
                .onFailure(SupervisorStrategy.restart()), "job-retention")
        .withSettings(ClusterSingletonSettings.create(system).withRole(Role.SCHEDULER.id())));
  }

  static Behavior<Command> create(Jobs jobs, JobDeletion deletion, Settings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Look.INSTANCE, settings.checkEvery());
      ctx.getSelf().tell(Look.INSTANCE);
      return new JobRetention(ctx, jobs, deletion, settings);
    }));
  }

  private final Jobs jobs;
  private final JobDeletion deletion;
  private final Settings settings;
  private boolean busy;

  private JobRetention(ActorContext<Command> ctx, Jobs jobs, JobDeletion deletion,
      Settings settings) {
    super(ctx);
    this.jobs = jobs;
    this.deletion = deletion;
    this.settings = settings;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Look.INSTANCE, this::onLook)
        .onMessage(RoundDone.class, this::onRoundDone)
        .build();
  }

  private Behavior<Command> onLook() {
    if (busy) {
      return this;
    }
    busy = true;
    Instant cutoff = Instant.now().minus(settings.keepFinished());
    getContext().pipeToSelf(deletion.finishedBefore(cutoff, settings.jobsPerBatch())
            .thenCompose(ids -> purgeAll(ids, 0, 0).thenApply(n -> new RoundDone(n,
                ids.size() == settings.jobsPerBatch(), null))),
        (done, error) -> error != null ? new RoundDone(0, false, error) : done);
    return this;
  }

  /** One job after the other: the journal sees one job's small deletes at a time. */
  private CompletionStage<Integer> purgeAll(List<String> ids, int i, int deleted) {
    if (i == ids.size()) {
      return CompletableFuture.completedFuture(deleted);
    }
    return jobs.purge(ids.get(i), false)
        .thenCompose(events -> purgeAll(ids, i + 1, deleted + 1));
  }

  private Behavior<Command> onRoundDone(RoundDone r) {
    busy = false;
    if (r.error() != null) {
      getContext().getLog().warn("retention: could not delete old jobs, trying again in {}: {}",
          settings.checkEvery(), r.error().toString());
      return this;
    }
    if (r.deleted() > 0) {
      getContext().getLog().info("retention: deleted {} job(s) finished more than {} ago",
          r.deleted(), settings.keepFinished());
    }
    if (r.more()) {
      getContext().getSelf().tell(Look.INSTANCE);
    }
    return this;
  }
}
