package com.calcgrid.job;

import com.calcgrid.graph.GraphSpec;
import com.calcgrid.job.index.JobIndex;
import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way into the jobs of the cluster: each job's supervisor by id, submission (listed
 * under the running-job limits first, then handed to its supervisor), and waking the jobs that
 * were running when the cluster stopped. The HTTP API, the schedules and {@code calcgrid run}
 * all submit through here.
 */
public final class Jobs {
  private static final Logger log = LoggerFactory.getLogger(Jobs.class);

  /**
   * @param askTimeout how long a supervisor may take to answer (calcgrid.http.ask-timeout)
   * @param maxRunningPerTenant jobs one tenant may run at once, cluster-wide
   * @param maxRunning jobs the cluster runs at once
   */
  public record Settings(Duration askTimeout, int maxRunningPerTenant, int maxRunning) {
    public static Settings fromConfig(Config config) {
      return new Settings(config.getDuration("calcgrid.http.ask-timeout"),
          config.getInt("calcgrid.limits.max-running-jobs-per-tenant"),
          config.getInt("calcgrid.limits.max-running-jobs"));
    }
  }

  /**
   * How a submission ended.
   *
   * @param admitted the index's decision; unless ADMITTED or ALREADY_LISTED, nothing was
   *     submitted
   * @param created the supervisor created the job; false when it existed (the same id came
   *     before) or when it was not admitted
   */
  public record Submitted(JobIndex.Decision admitted, String id, int taskCount,
      Instant submittedAt, boolean created) {

    public boolean refused() {
      return admitted.outcome() == JobIndex.Admitted.TENANT_FULL
          || admitted.outcome() == JobIndex.Admitted.CLUSTER_FULL;
    }
  }

  private final ClusterSharding sharding;
  private final ShardHomes homes;
  private final JobIndex index;
  private final Settings settings;
  private final JobDeletion deletion;

  /** Jobs that cannot be deleted (for tests of submission alone). */
  public Jobs(ActorSystem<?> system, JobIndex index, Settings settings) {
    this(system, index, settings, null);
  }

  public Jobs(ActorSystem<?> system, JobIndex index, Settings settings, JobDeletion deletion) {
    this.sharding = ClusterSharding.get(system);
    this.homes = new ShardHomes(system);
    this.index = index;
    this.settings = settings;
    this.deletion = deletion;
  }

  /**
   * The id for a new job: the first of {@code candidate(0)}, {@code candidate(1)}, ... whose
   * supervisor would start on a member that answers now (see {@link ShardHomes}).
   */
  public CompletionStage<String> newId(IntFunction<String> candidate) {
    return homes.choose(candidate);
  }

  /** The supervisor of job {@code id}, wherever in the cluster it runs. */
  public EntityRef<JobSupervisor.Command> job(String id) {
    return sharding.entityRefFor(JobSupervisor.ENTITY_KEY, id);
  }

  public Duration askTimeout() {
    return settings.askTimeout();
  }

  public JobIndex index() {
    return index;
  }

  /**
   * Lists the job under the running-job limits, then submits it to its supervisor; the stage
   * completes once the submission is in the journal, or fails when the index or the
   * supervisor did not answer in time.
   *
   * @param scheduled the schedule's firing that submits the job, or null
   */
  public CompletionStage<Submitted> submit(String id, String tenant, GraphSpec graph,
      ScheduledRun scheduled) {
    int taskCount = graph.taskCount();
    Instant now = Instant.now();
    return index.admit(id, tenant, graph.name(), taskCount, now,
            settings.maxRunningPerTenant(), settings.maxRunning(), scheduled)
        .thenCompose(decision -> switch (decision.outcome()) {
          case TENANT_FULL, CLUSTER_FULL -> CompletableFuture.completedFuture(
              new Submitted(decision, id, taskCount, now, false));
          case ADMITTED, ALREADY_LISTED -> job(id).<JobSupervisor.Accepted>askWithStatus(
                  reply -> new JobSupervisor.Submit(graph, tenant, scheduled, reply),
                  settings.askTimeout())
              .thenApply(a -> new Submitted(decision, id, taskCount, now, a.created()));
        });
  }

  /** The job as its supervisor sees it now; null when there is no such job. */
  public CompletionStage<JobView> view(String id) {
    return job(id).ask(JobSupervisor.GetJob::new, settings.askTimeout())
        .thenApply(JobSupervisor.JobReply::job);
  }

  /** How {@link #delete} ended. */
  public enum Deleted { DELETED, RUNNING }

  /**
   * Deletes a job that has finished: asks its supervisor, then removes its rows
   * ({@link JobDeletion}) and lets a supervisor still in memory go. A running job is left alone
   * ({@link Deleted#RUNNING}). The caller has checked that the job is listed for its tenant; a
   * listed job whose supervisor has no journal left (a deletion cut short) is purged all the
   * same.
   */
  public CompletionStage<Deleted> delete(String id) {
    return view(id).thenCompose(job -> {
      if (job != null) {
        return job.state() == JobStatus.RUNNING
            ? CompletableFuture.completedFuture(Deleted.RUNNING)
            : purge(id, true).thenApply(events -> Deleted.DELETED);
      }
      // listed but no journal: a submission still on its way (RUNNING), or a cut-short purge
      return index.states(java.util.List.of(id)).thenCompose(states ->
          states.get(id) == JobStatus.RUNNING
              ? CompletableFuture.completedFuture(Deleted.RUNNING)
              : purge(id, false).thenApply(events -> Deleted.DELETED));
    });
  }

  /**
   * Removes a job's rows and lets its supervisor go; {@code finished} as in
   * {@link JobDeletion#purge}. Returns the number of journal events deleted.
   */
  public CompletionStage<Long> purge(String id, boolean finished) {
    return deletion.purge(id, finished).thenApply(events -> {
      job(id).tell(JobSupervisor.Forget.INSTANCE);
      log.info("job {} deleted: {} journal event(s)", id, events);
      return events;
    });
  }

  /** Jobs that were running when the node (or the whole cluster) stopped carry on. */
  public void wakeUnfinished() {
    index.unfinished().whenComplete((ids, error) -> {
      if (error != null) {
        log.warn("could not list unfinished jobs to resume: {}", error.toString());
        return;
      }
      if (!ids.isEmpty()) {
        log.info("resuming {} unfinished job(s)", ids.size());
      }
      for (String id : ids) {
        job(id).tell(JobSupervisor.Wake.INSTANCE);
      }
    });
  }
}
