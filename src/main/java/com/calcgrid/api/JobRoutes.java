package com.calcgrid.api;

import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphSpec;
import com.calcgrid.graph.GraphValidator;
import com.calcgrid.graph.InvalidGraphException;
import com.calcgrid.graph.TaskTemplate;
import com.calcgrid.job.JobIndex;
import com.calcgrid.job.JobStatus;
import com.calcgrid.job.JobSupervisor;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/** {@code /api/v1/jobs}: submit, list, inspect, cancel, results, live events. */
public final class JobRoutes extends AllDirectives {
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** @param tenant the tenant of every job until authentication assigns one per caller */
  public record Settings(Duration askTimeout, int defaultPage, int maxPage, String tenant) {}

  private final ClusterSharding sharding;
  private final JobIndex index;
  private final FunctionRegistry functions;
  private final GraphLimits limits;
  private final Settings settings;
  private final JobEventsSocket events;

  public JobRoutes(ClusterSharding sharding, JobIndex index, FunctionRegistry functions,
      GraphLimits limits, Settings settings, JobEventsSocket events) {
    this.sharding = sharding;
    this.index = index;
    this.functions = functions;
    this.limits = limits;
    this.settings = settings;
    this.events = events;
  }

  public Route routes() {
    return pathPrefix("api", () -> pathPrefix("v1", () -> pathPrefix("jobs", () -> concat(
        pathEndOrSingleSlash(() -> concat(post(this::submit), get(this::list))),
        pathPrefix(PathMatchers.segment(), id -> JOB_ID.matcher(id).matches()
            ? jobRoutes(id)
            : complete(Json.notFound("no job '" + id + "'")))))));
  }

  private Route jobRoutes(String id) {
    return concat(
        pathEndOrSingleSlash(() -> get(() -> getJob(id))),
        path(PathMatchers.segment("tasks").slash(PathMatchers.segment()),
            taskId -> get(() -> getTask(id, taskId))),
        path("results", () -> get(() -> parameterMap(p -> results(id, p)))),
        path("cancel", () -> post(() -> cancel(id))),
        path("events", () -> get(() -> events.route(id, entity(id)))));
  }

  private Route submit() {
    return entity(Unmarshaller.entityToByteString(), body -> {
      GraphSpec graph;
      try {
        graph = GraphValidator.parseAndValidate(body.toArray(), functions, limits);
      } catch (InvalidGraphException e) {
        return complete(Json.problem(StatusCodes.BAD_REQUEST, "invalid-graph", "Invalid graph",
            e.getMessage(), Map.of("errors", e.problems())));
      }
      String id = UUID.randomUUID().toString();
      int taskCount = graph.tasks().stream().mapToInt(TaskTemplate::count).sum();
      Instant now = Instant.now();
      CompletionStage<HttpResponse> response = index
          .recordSubmitted(id, settings.tenant(), graph.name(), taskCount, now)
          .thenCompose(v -> entity(id).<JobSupervisor.Accepted>askWithStatus(
              reply -> new JobSupervisor.Submit(graph, settings.tenant(), reply),
              settings.askTimeout()))
          .thenApply(accepted -> accepted(id, graph.name(), taskCount, now))
          .exceptionally(e -> Json.unavailable("the job could not be stored in time ("
              + rootMessage(e) + "); it may still have been accepted as " + id
              + ": check GET /api/v1/jobs/" + id + " before submitting again",
              Duration.ofSeconds(2)));
      return completeWithFuture(response);
    });
  }

  private static HttpResponse accepted(String id, String name, int taskCount, Instant at) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("name", name);
    body.put("state", JobStatus.RUNNING);
    body.put("taskCount", taskCount);
    body.put("submittedAt", at);
    body.put("links", Map.of(
        "self", "/api/v1/jobs/" + id,
        "events", "/api/v1/jobs/" + id + "/events",
        "results", "/api/v1/jobs/" + id + "/results"));
    return Json.response(StatusCodes.ACCEPTED, body).addHeader(Location.create("/api/v1/jobs/" + id));
  }

  private Route list() {
    return parameterMap(p -> {
      JobStatus state = null;
      if (p.containsKey("state")) {
        try {
          state = JobStatus.valueOf(p.get("state").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
          return complete(badParam("state", "must be one of RUNNING, SUCCEEDED, FAILED, CANCELLED, got '"
              + p.get("state") + "'"));
        }
      }
      Paging paging = Paging.of(p, settings.defaultPage(), settings.maxPage());
      if (paging.error() != null) {
        return complete(paging.error());
      }
      JobStatus filter = state;
      return completeWithFuture(index.list(null, filter, paging.offset(), paging.limit())
          .thenApply(Json::ok)
          .exceptionally(e -> Json.unavailable("the job index did not answer: " + rootMessage(e),
              Duration.ofSeconds(2))));
    });
  }

  private Route getJob(String id) {
    return completeWithFuture(entity(id).ask(JobSupervisor.GetJob::new, settings.askTimeout())
        .thenApply(r -> r.job() == null ? Json.notFound("no job '" + id + "'") : Json.ok(r.job()))
        .exceptionally(this::timeout));
  }

  private Route getTask(String id, String taskId) {
    return completeWithFuture(entity(id)
        .ask((ActorRef<JobSupervisor.TaskReply> reply) -> new JobSupervisor.GetTask(taskId, reply), settings.askTimeout())
        .thenApply(r -> !r.jobExists() ? Json.notFound("no job '" + id + "'")
            : r.task() == null ? Json.notFound("job " + id + " has no task '" + taskId + "'")
            : Json.ok(r.task()))
        .exceptionally(this::timeout));
  }

  private Route results(String id, Map<String, String> p) {
    String scope = p.getOrDefault("scope", "outputs");
    if (!scope.equals("outputs") && !scope.equals("all")) {
      return complete(badParam("scope", "must be 'outputs' or 'all', got '" + scope + "'"));
    }
    Paging paging = Paging.of(p, settings.maxPage(), settings.maxPage());
    if (paging.error() != null) {
      return complete(paging.error());
    }
    return completeWithFuture(entity(id).ask(
            (ActorRef<JobSupervisor.ResultsReply> reply) -> new JobSupervisor.GetResults(scope.equals("all"), paging.offset(),
                paging.limit(), reply), settings.askTimeout())
        .thenApply(r -> r.results() == null ? Json.notFound("no job '" + id + "'")
            : Json.ok(r.results()))
        .exceptionally(this::timeout));
  }

  private Route cancel(String id) {
    return completeWithFuture(entity(id)
        .ask((ActorRef<JobSupervisor.CancelReply> reply) -> new JobSupervisor.Cancel("cancelled through the API", reply),
            settings.askTimeout())
        .thenApply(r -> r.job() == null ? Json.notFound("no job '" + id + "'")
            : r.cancelled() ? Json.ok(r.job())
            : Json.problem(StatusCodes.CONFLICT, "job-finished", "Job already finished",
                "job " + id + " already ended " + r.job().state() + "; nothing to cancel",
                Map.of("job", r.job())))
        .exceptionally(this::timeout));
  }

  private EntityRef<JobSupervisor.Command> entity(String id) {
    return sharding.entityRefFor(JobSupervisor.ENTITY_KEY, id);
  }

  private HttpResponse timeout(Throwable e) {
    return Json.unavailable("the job's supervisor did not answer in time (" + rootMessage(e)
        + ")", Duration.ofSeconds(2));
  }

  static HttpResponse badParam(String name, String message) {
    return Json.problem(StatusCodes.BAD_REQUEST, "invalid-parameter", "Invalid parameter",
        "query parameter '" + name + "' " + message, Map.of("parameter", name));
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
