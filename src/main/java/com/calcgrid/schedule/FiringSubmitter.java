package com.calcgrid.schedule;

import com.calcgrid.api.submit.IdempotencyKeys;
import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphParser;
import com.calcgrid.graph.GraphSpec;
import com.calcgrid.graph.GraphValidator;
import com.calcgrid.graph.InvalidGraphException;
import com.calcgrid.graph.TaskTemplate;
import com.calcgrid.job.JobStatus;
import com.calcgrid.job.JobSupervisor;
import com.calcgrid.job.ScheduledRun;
import com.calcgrid.job.index.JobIndex;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Submits a firing's job by the steps a {@code POST /api/v1/jobs} with an {@code Idempotency-Key}
 * takes: the graph validated, the key stored, the job listed under the running-jobs limits, then
 * handed to its supervisor. The key, and so the job's id, follows from the schedule and the
 * firing's instant alone: submitting the same firing twice (after a crash) finds the job the
 * first attempt created and never starts a second one.
 */
public final class FiringSubmitter {
  /** How a submission ended. */
  public enum Result { CREATED, EXISTED, TENANT_FULL, CLUSTER_FULL, INVALID }

  /** @param detail why the job was refused, or null */
  public record Outcome(Result result, String job, String detail) {}

  /** The body hash stored with a firing's key: firings have no body, their key says it all. */
  private static final String FIRING_SHA = IdempotencyKeys.sha256Hex(
      "calcgrid-schedule-firing".getBytes(StandardCharsets.UTF_8));

  private final ClusterSharding sharding;
  private final JobIndex index;
  private final IdempotencyKeys keys;
  private final FunctionRegistry functions;
  private final GraphParser parser;
  private final GraphLimits limits;
  private final int maxRunningPerTenant;
  private final int maxRunning;
  private final Duration askTimeout;

  public FiringSubmitter(ClusterSharding sharding, JobIndex index, IdempotencyKeys keys,
      FunctionRegistry functions, GraphParser parser, GraphLimits limits,
      int maxRunningPerTenant, int maxRunning, Duration askTimeout) {
    this.sharding = sharding;
    this.index = index;
    this.keys = keys;
    this.functions = functions;
    this.parser = parser;
    this.limits = limits;
    this.maxRunningPerTenant = maxRunningPerTenant;
    this.maxRunning = maxRunning;
    this.askTimeout = askTimeout;
  }

  /**
   * The Idempotency-Key of a firing. Manual triggers have keys of their own, so that one never
   * collides with a scheduled firing of the same instant; a backfill shares the scheduled
   * firing's key, so it fills gaps and never runs a firing twice.
   */
  public static String idempotencyKey(String schedule, Instant scheduledFor, Firing.Kind kind) {
    return "schedule:" + schedule + (kind == Firing.Kind.MANUAL ? ":manual:" : ":")
        + scheduledFor;
  }

  /** The id of the job a firing starts. */
  public static String jobIdFor(String tenant, String schedule, Instant scheduledFor,
      Firing.Kind kind) {
    // claimed "at" the firing's own instant: the same firing always names the same job
    return IdempotencyKeys.jobIdFor(tenant, idempotencyKey(schedule, scheduledFor, kind),
        FIRING_SHA, scheduledFor);
  }

  /** Submits the firing's job; fails only when the cluster did not answer. */
  public CompletionStage<Outcome> submit(String tenant, String schedule, Firing firing,
      String graphJson) {
    GraphSpec graph;
    try {
      graph = GraphValidator.parseAndValidate(parser, graphJson.getBytes(StandardCharsets.UTF_8),
          functions, limits);
    } catch (InvalidGraphException e) {
      return CompletableFuture.completedFuture(new Outcome(Result.INVALID, null,
          "the graph is no longer valid: " + e.getMessage()));
    }
    String key = idempotencyKey(schedule, firing.scheduledFor(), firing.kind());
    String id = jobIdFor(tenant, schedule, firing.scheduledFor(), firing.kind());
    ScheduledRun run = new ScheduledRun(schedule, firing.scheduledFor().toEpochMilli());
    int taskCount = graph.tasks().stream().mapToInt(TaskTemplate::count).sum();
    Instant now = Instant.now();
    // a key stored by an earlier attempt (or, oddly, by a client) is fine: the id is the same
    // a firing's key never expires for its own schedule: its job id does not change with time
    return keys.claim(new IdempotencyKeys.Key(tenant, key, FIRING_SHA, id, now), Instant.EPOCH)
        .thenCompose(stored -> index.admit(id, tenant, graph.name(), taskCount, now,
            maxRunningPerTenant, maxRunning, run))
        .thenCompose(decision -> switch (decision.outcome()) {
          case TENANT_FULL -> CompletableFuture.completedFuture(new Outcome(Result.TENANT_FULL,
              id, "tenant '" + tenant + "' already runs " + decision.running()
                  + " jobs, the most it may run at once (" + decision.limit() + ")"));
          case CLUSTER_FULL -> CompletableFuture.completedFuture(new Outcome(
              Result.CLUSTER_FULL, id, "the cluster already runs " + decision.running()
                  + " jobs, the most it runs at once (" + decision.limit() + ")"));
          case ADMITTED, ALREADY_LISTED -> job(id).<JobSupervisor.Accepted>askWithStatus(
                  reply -> new JobSupervisor.Submit(graph, tenant, run, reply), askTimeout)
              .thenApply(a -> new Outcome(a.created() ? Result.CREATED : Result.EXISTED, id,
                  null));
        });
  }

  /** Whether the job runs: the index says it has ended, or its supervisor says it runs. */
  public CompletionStage<Boolean> isRunning(String jobId) {
    return index.states(List.of(jobId)).thenCompose(states -> {
      JobStatus listed = states.get(jobId);
      if (listed == null || listed.finished()) {
        return CompletableFuture.completedFuture(false);
      }
      // the index's end of a job is written shortly after the job's own: ask the job
      return job(jobId).ask(JobSupervisor.GetJob::new, askTimeout)
          .thenApply(r -> r.job() != null && !r.job().state().finished());
    });
  }

  /** Cancels the job; done whether it was running or not. */
  public CompletionStage<Void> cancel(String jobId, String reason) {
    return job(jobId).ask((ActorRef<JobSupervisor.CancelReply> reply) ->
        new JobSupervisor.Cancel(reason, reply), askTimeout).thenApply(r -> null);
  }

  private EntityRef<JobSupervisor.Command> job(String id) {
    return sharding.entityRefFor(JobSupervisor.ENTITY_KEY, id);
  }

}
