package com.calcgrid.schedule;

import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphParser;
import com.calcgrid.graph.GraphSpec;
import com.calcgrid.graph.GraphValidator;
import com.calcgrid.graph.InvalidGraphException;
import com.calcgrid.job.JobStatus;
import com.calcgrid.job.JobSupervisor;
import com.calcgrid.job.Jobs;
import com.calcgrid.job.ScheduledRun;
import com.calcgrid.job.index.IdempotencyKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

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

  private final Jobs jobs;
  private final IdempotencyKeys keys;
  private final FunctionRegistry functions;
  private final GraphParser parser;
  private final GraphLimits limits;

  public FiringSubmitter(Jobs jobs, IdempotencyKeys keys, FunctionRegistry functions,
      GraphParser parser, GraphLimits limits) {
    this.jobs = jobs;
    this.keys = keys;
    this.functions = functions;
    this.parser = parser;
    this.limits = limits;
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
    // claimed "at" the firing's own instant: the same firing always names the same job (the
    // schedule records it before submitting, so it is never chosen by where its shard lives)
    return IdempotencyKeys.jobIdFor(tenant, idempotencyKey(schedule, scheduledFor, kind),
        FIRING_SHA, scheduledFor, 0);
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
    Instant now = Instant.now();
    // a key stored by an earlier attempt (or, oddly, by a client) is fine: the id is the same
    // a firing's key never expires for its own schedule: its job id does not change with time
    return keys.claim(new IdempotencyKeys.Key(tenant, key, FIRING_SHA, id, now), Instant.EPOCH)
        .thenCompose(stored -> jobs.submit(id, tenant, graph, run))
        .thenApply(submitted -> switch (submitted.admitted().outcome()) {
          case TENANT_FULL -> new Outcome(Result.TENANT_FULL, id, "tenant '" + tenant
              + "' already runs " + submitted.admitted().running() + " jobs, the most it may"
              + " run at once (" + submitted.admitted().limit() + ")");
          case CLUSTER_FULL -> new Outcome(Result.CLUSTER_FULL, id, "the cluster already runs "
              + submitted.admitted().running() + " jobs, the most it runs at once ("
              + submitted.admitted().limit() + ")");
          case ADMITTED, ALREADY_LISTED -> new Outcome(
              submitted.created() ? Result.CREATED : Result.EXISTED, id, null);
        });
  }

  /** Whether the job runs: the index says it has ended, or its supervisor says it runs. */
  public CompletionStage<Boolean> isRunning(String jobId) {
    return jobs.index().states(List.of(jobId)).thenCompose(states -> {
      JobStatus listed = states.get(jobId);
      if (listed == null || listed.finished()) {
        return CompletableFuture.completedFuture(false);
      }
      // the index's end of a job is written shortly after the job's own: ask the job
      return jobs.view(jobId).thenApply(job -> job != null && !job.state().finished());
    });
  }

  /** Cancels the job; done whether it was running or not. */
  public CompletionStage<Void> cancel(String jobId, String reason) {
    return jobs.job(jobId).ask((ActorRef<JobSupervisor.CancelReply> reply) ->
        new JobSupervisor.Cancel(reason, reply), jobs.askTimeout()).thenApply(r -> null);
  }
}
