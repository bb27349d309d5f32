package com.calcgrid.api;

import com.calcgrid.api.auth.AccessRole;
import com.calcgrid.api.auth.Caller;
import com.calcgrid.api.events.JobEventsSocket;
import com.calcgrid.api.submit.Submissions;
import com.calcgrid.job.JobStatus;
import com.calcgrid.job.JobSupervisor;
import com.calcgrid.job.JobView;
import com.calcgrid.job.Jobs;
import com.calcgrid.job.index.JobIndex;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/jobs}: submit, list, inspect, cancel, results, live events. Every route needs
 * a caller ({@link Authentication}); a job of another tenant answers 404 exactly as a job that
 * does not exist, except to admins.
 */
public final class JobRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(JobRoutes.class);
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int MAX_NAME_FILTER = 200;

  public record Settings(Duration askTimeout, int defaultPage, int maxPage) {
    public static Settings fromConfig(com.typesafe.config.Config config) {
      return new Settings(config.getDuration("calcgrid.http.ask-timeout"),
          config.getInt("calcgrid.http.default-page"), config.getInt("calcgrid.http.max-page"));
    }
  }

  private final ClusterSharding sharding;
  private final JobIndex index;
  private final Jobs jobs;
  private final Submissions submissions;
  private final Authentication auth;
  private final Settings settings;
  private final JobEventsSocket events;
  private final JobBrowseRoutes browse;

  public JobRoutes(ClusterSharding sharding, Jobs jobs, Submissions submissions,
      Authentication auth, Settings settings, JobEventsSocket events) {
    this.sharding = sharding;
    this.jobs = jobs;
    this.index = jobs.index();
    this.submissions = submissions;
    this.auth = auth;
    this.settings = settings;
    this.events = events;
    this.browse = new JobBrowseRoutes(sharding, settings.askTimeout());
  }

  public Route routes() {
    return pathPrefix("api", () -> pathPrefix("v1", () -> pathPrefix("jobs", () ->
        auth.authenticated(caller -> concat(
            pathEndOrSingleSlash(() -> concat(
                post(() -> auth.authorize(caller, AccessRole.SUBMITTER, "submit jobs",
                    () -> submissions.submit(caller))),
                get(() -> auth.authorize(caller, AccessRole.VIEWER, "list jobs",
                    () -> list(caller))))),
            pathPrefix(PathMatchers.segment(), id -> JOB_ID.matcher(id).matches()
                ? jobRoutes(caller, id)
                : complete(Problems.notFound("no job '" + id + "'"))))))));
  }

  private Route jobRoutes(Caller caller, String id) {
    return concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> viewer(caller, id, job -> complete(Json.ok(job)))),
            delete(() -> auth.authorize(caller, AccessRole.SUBMITTER, "delete jobs",
                () -> delete(caller, id))))),
        path(PathMatchers.segment("tasks").slash(PathMatchers.segment()),
            taskId -> get(() -> viewer(caller, id, job -> getTask(id, taskId)))),
        path("tasks", () -> get(() -> parameterMap(p ->
            viewer(caller, id, job -> browse.tasks(id, p))))),
        path("graph", () -> get(() -> viewer(caller, id, job -> browse.graph(id)))),
        path("results", () -> get(() -> parameterMap(p ->
            viewer(caller, id, job -> results(id, p))))),
        path("cancel", () -> post(() -> auth.authorize(caller, AccessRole.SUBMITTER,
            "cancel jobs", () -> visible(caller, id, job -> cancel(id))))),
        path("events", () -> get(() -> auth.authorize(caller, AccessRole.VIEWER, "read jobs",
            () -> listed(caller, id, () -> events.route(caller, id))))));
  }

  /**
   * 404 unless the job index lists the job for a tenant the caller sees. The supervisor is
   * never asked about an id nobody submitted: asking starts it (sharding remembers it, and it
   * reads its journal), so a stream of made-up ids would otherwise write to the database. When
   * the index cannot answer, the supervisor decides, as before.
   */
  private Route listed(Caller caller, String id, Supplier<Route> inner) {
    return onComplete(index.tenantOf(id), tenant -> {
      if (tenant.isFailure()) {
        log.warn("job index lookup of {} failed, asking its supervisor: {}", id,
            tenant.failed().get().toString());
        return inner.get();
      }
      if (tenant.get().isEmpty() || !caller.sees(tenant.get().get())) {
        return complete(Problems.notFound("no job '" + id + "'"));
      }
      return inner.get();
    });
  }

  private Route viewer(Caller caller, String id, Function<JobView, Route> inner) {
    return auth.authorize(caller, AccessRole.VIEWER, "read jobs",
        () -> visible(caller, id, inner));
  }

  /**
   * Runs {@code inner} with the job if the caller may see it; 404 if it does not exist or
   * belongs to another tenant, so that job ids of other desks cannot be probed.
   */
  private Route visible(Caller caller, String id, Function<JobView, Route> inner) {
    return listed(caller, id, () -> onComplete(entity(id).ask(JobSupervisor.GetJob::new,
        settings.askTimeout()), reply -> {
      if (reply.isFailure()) {
        return complete(timeout(reply.failed().get()));
      }
      JobView job = reply.get().job();
      if (job == null || !caller.sees(job.tenant())) {
        return complete(Problems.notFound("no job '" + id + "'"));
      }
      return inner.apply(job);
    }));
  }

  private Route list(Caller caller) {
    return parameterMap(p -> {
      JobStatus state = null;
      if (p.containsKey("state")) {
        try {
          state = JobStatus.valueOf(p.get("state").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          return complete(Problems.badParam("state", "must be one of RUNNING, SUCCEEDED, FAILED, CANCELLED, got '"
              + p.get("state") + "'"));
        }
      }
      String name = p.getOrDefault("name", "").strip();
      if (name.length() > MAX_NAME_FILTER) {
        return complete(Problems.badParam("name", "must be at most " + MAX_NAME_FILTER
            + " characters, got " + name.length()));
      }
      String tenant = p.get("tenant");
      if (!caller.isAdmin()) {
        if (tenant != null && !tenant.equals(caller.tenant())) {
          return complete(Authentication.forbidden(caller, AccessRole.ADMIN,
              "list the jobs of another tenant"));
        }
        tenant = caller.tenant();
      }
      String schedule = p.get("schedule");
      if (schedule != null && !JOB_ID.matcher(schedule).matches()) {
        return complete(Problems.badParam("schedule", "must be a schedule's id, got '" + schedule + "'"));
      }
      Paging paging = Paging.of(p, settings.defaultPage(), settings.maxPage());
      if (paging.error() != null) {
        return complete(paging.error());
      }
      return completeWithFuture(index.list(tenant, state,
              name.isEmpty() ? null : name, schedule, paging.offset(), paging.limit())
          .thenApply(Json::ok)
          .exceptionally(e -> Incidents.unavailable("the job index did not answer", e,
              Duration.ofSeconds(2))));
    });
  }

  private Route getTask(String id, String taskId) {
    return completeWithFuture(entity(id)
        .ask((ActorRef<JobSupervisor.TaskReply> reply) -> new JobSupervisor.GetTask(taskId, reply), settings.askTimeout())
        .thenApply(r -> !r.jobExists() ? Problems.notFound("no job '" + id + "'")
            : r.task() == null ? Problems.notFound("job " + id + " has no task '" + taskId + "'")
            : Json.ok(r.task()))
        .exceptionally(this::timeout));
  }

  private Route results(String id, Map<String, String> p) {
    String scope = p.getOrDefault("scope", "outputs");
    if (!scope.equals("outputs") && !scope.equals("all")) {
      return complete(Problems.badParam("scope", "must be 'outputs' or 'all', got '" + scope + "'"));
    }
    Paging paging = Paging.of(p, settings.maxPage(), settings.maxPage());
    if (paging.error() != null) {
      return complete(paging.error());
    }
    return completeWithFuture(entity(id).ask(
            (ActorRef<JobSupervisor.ResultsReply> reply) -> new JobSupervisor.GetResults(scope.equals("all"), paging.offset(),
                paging.limit(), reply), settings.askTimeout())
        .thenApply(r -> r.results() == null ? Problems.notFound("no job '" + id + "'")
            : Json.ok(r.results()))
        .exceptionally(this::timeout));
  }

  private Route cancel(String id) {
    return completeWithFuture(entity(id)
        .ask((ActorRef<JobSupervisor.CancelReply> reply) -> new JobSupervisor.Cancel("cancelled through the API", reply),
            settings.askTimeout())
        .thenApply(r -> r.job() == null ? Problems.notFound("no job '" + id + "'")
            : r.cancelled() ? Json.ok(r.job())
            : Problems.problem(StatusCodes.CONFLICT, "job-finished", "Job already finished",
                "job " + id + " already ended " + r.job().state() + "; nothing to cancel",
                Map.of("job", r.job())))
        .exceptionally(this::timeout));
  }

  /**
   * 204 once the job's rows are gone; 409 while it runs; 404 when the index does not list it
   * for a tenant the caller sees (as for reading: ids of other desks are not confirmed).
   */
  private Route delete(Caller caller, String id) {
    return onComplete(index.tenantOf(id), tenant -> {
      if (tenant.isFailure()) {
        return complete(Incidents.unavailable("the job index did not answer",
            tenant.failed().get(), Duration.ofSeconds(2)));
      }
      if (tenant.get().isEmpty() || !caller.sees(tenant.get().get())) {
        return complete(Problems.notFound("no job '" + id + "'"));
      }
      return completeWithFuture(jobs.delete(id).thenApply(d -> d == Jobs.Deleted.RUNNING
          ? Problems.problem(StatusCodes.CONFLICT, "job-running", "Job still running",
              "job " + id + " is running; cancel it first (POST /api/v1/jobs/" + id
                  + "/cancel), then delete it")
          : HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))
          .exceptionally(e -> Incidents.unavailable("the job could not be deleted now", e,
              Duration.ofSeconds(2))));
    });
  }

  private EntityRef<JobSupervisor.Command> entity(String id) {
    return sharding.entityRefFor(JobSupervisor.ENTITY_KEY, id);
  }

  private HttpResponse timeout(Throwable e) {
    return Incidents.unavailable("the job's supervisor did not answer in time", e,
        Duration.ofSeconds(2));
  }
}
