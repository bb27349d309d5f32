package com.calcgrid.api;

import com.calcgrid.api.auth.AccessRole;
import com.calcgrid.api.auth.Caller;
import com.calcgrid.job.JobStatus;
import com.calcgrid.job.index.JobIndex;
import com.calcgrid.schedule.InvalidScheduleException;
import com.calcgrid.schedule.ScheduleEntity;
import com.calcgrid.schedule.ScheduleIndex;
import com.calcgrid.schedule.ScheduleRequest;
import com.calcgrid.schedule.ScheduleSpec;
import com.calcgrid.schedule.ScheduleView;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
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
import org.apache.pekko.pattern.StatusReply;

/**
 * {@code /api/v1/schedules}: create, list, inspect, change (pause, resume), delete, trigger and
 * backfill schedules. Roles and tenancy are those of jobs: creating and changing needs
 * submitter, reading needs viewer, and a schedule of another tenant answers 404 exactly as one
 * that does not exist, except to admins.
 */
public final class ScheduleRoutes extends AllDirectives {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  public record Settings(Duration askTimeout, Duration bodyTimeout, int defaultPage,
      int maxPage) {
    public static Settings fromConfig(com.typesafe.config.Config config) {
      return new Settings(config.getDuration("calcgrid.http.ask-timeout"),
          config.getDuration("calcgrid.limits.body-read-timeout"),
          config.getInt("calcgrid.http.default-page"), config.getInt("calcgrid.http.max-page"));
    }
  }

  private final ClusterSharding sharding;
  private final ScheduleIndex schedules;
  private final JobIndex jobs;
  private final ScheduleRequest requests;
  private final Authentication auth;
  private final Settings settings;

  public ScheduleRoutes(ClusterSharding sharding, ScheduleIndex schedules, JobIndex jobs,
      ScheduleRequest requests, Authentication auth, Settings settings) {
    this.sharding = sharding;
    this.schedules = schedules;
    this.jobs = jobs;
    this.requests = requests;
    this.auth = auth;
    this.settings = settings;
  }

  public Route routes() {
    return pathPrefix("api", () -> pathPrefix("v1", () -> pathPrefix("schedules", () ->
        auth.authenticated(caller -> concat(
            pathEndOrSingleSlash(() -> concat(
                post(() -> auth.authorize(caller, AccessRole.SUBMITTER, "create schedules",
                    () -> create(caller))),
                get(() -> auth.authorize(caller, AccessRole.VIEWER, "list schedules",
                    () -> list(caller))))),
            pathPrefix(PathMatchers.segment(), id -> ID.matcher(id).matches()
                ? scheduleRoutes(caller, id)
                : complete(Problems.notFound("no schedule '" + id + "'"))))))));
  }

  private Route scheduleRoutes(Caller caller, String id) {
    return concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> auth.authorize(caller, AccessRole.VIEWER, "read schedules",
                () -> visible(caller, id, s -> withJobStates(s)))),
            patch(() -> submitter(caller, id, "change schedules", s -> change(id, s))),
            delete(() -> submitter(caller, id, "delete schedules", s -> remove(id))))),
        path("trigger", () -> post(() -> submitter(caller, id, "trigger schedules",
            s -> trigger(id)))),
        path("backfill", () -> post(() -> submitter(caller, id, "backfill schedules",
            s -> backfill(id)))));
  }

  private Route submitter(Caller caller, String id, String action,
      Function<ScheduleView, Route> inner) {
    return auth.authorize(caller, AccessRole.SUBMITTER, action, () -> visible(caller, id, inner));
  }

  /** Runs {@code inner} with the schedule if the caller may see it; 404 otherwise. */
  private Route visible(Caller caller, String id, Function<ScheduleView, Route> inner) {
    return onComplete(entity(id).ask(ScheduleEntity.Get::new, settings.askTimeout()), reply -> {
      if (reply.isFailure()) {
        return complete(timeout(reply.failed().get()));
      }
      ScheduleView s = reply.get().schedule();
      if (s == null || !caller.sees(s.tenant())) {
        return complete(Problems.notFound("no schedule '" + id + "'"));
      }
      return inner.apply(s);
    });
  }

  private Route create(Caller caller) {
    return body(bytes -> {
      ScheduleRequest.Parsed parsed;
      try {
        parsed = requests.create(bytes, Instant.now());
      } catch (InvalidScheduleException e) {
        return complete(invalid(e));
      }
      int max = requests.limits().maxPerTenant();
      String id = UUID.randomUUID().toString();
      CompletionStage<HttpResponse> response = schedules.count(caller.tenant())
          .thenCompose(n -> n >= max
              ? CompletableFuture.completedFuture(Problems.tooManyRequests("too-many-schedules",
                  "Too many schedules", "tenant '" + caller.tenant() + "' has " + n
                      + " schedules, the most it may have (" + max + "); delete one first",
                  Duration.ofSeconds(60)))
              : entity(id).<ScheduleView>askWithStatus(reply -> new ScheduleEntity.Create(
                      caller.tenant(), parsed.spec(), Boolean.TRUE.equals(parsed.paused()),
                      reply), settings.askTimeout())
                  .thenApply(view -> Json.response(StatusCodes.CREATED, render(view, Map.of()))
                      .addHeader(Location.create("/api/v1/schedules/" + id))))
          .exceptionally(e -> Incidents.unavailable("the schedule could not be stored in time;"
              + " list the schedules before creating it again", e, Duration.ofSeconds(2)));
      return completeWithFuture(response);
    });
  }

  private Route list(Caller caller) {
    return parameterMap(p -> {
      String tenant = p.get("tenant");
      if (!caller.isAdmin()) {
        if (tenant != null && !tenant.equals(caller.tenant())) {
          return complete(Authentication.forbidden(caller, AccessRole.ADMIN,
              "list the schedules of another tenant"));
        }
        tenant = caller.tenant();
      }
      Paging paging = Paging.of(p, settings.defaultPage(), settings.maxPage());
      if (paging.error() != null) {
        return complete(paging.error());
      }
      return completeWithFuture(schedules.list(tenant, paging.offset(), paging.limit())
          .thenApply(page -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("schedules", page.schedules());
            body.put("offset", page.offset());
            body.put("limit", page.limit());
            body.put("more", page.more());
            return Json.ok(body);
          })
          .exceptionally(e -> Incidents.unavailable("the schedule list did not answer", e,
              Duration.ofSeconds(2))));
    });
  }

  /** The schedule with the state of each job its recent firings started. */
  private Route withJobStates(ScheduleView s) {
    List<String> ids = new ArrayList<>();
    s.lastFirings().forEach(f -> addJob(ids, f.job()));
    s.pending().forEach(f -> addJob(ids, f.job()));
    return completeWithFuture(jobs.states(ids)
        .thenApply(states -> Json.ok(render(s, states)))
        .exceptionally(e -> Json.ok(render(s, Map.of()))));
  }

  private static void addJob(List<String> ids, String job) {
    if (job != null && !ids.contains(job)) {
      ids.add(job);
    }
  }

  private Route change(String id, ScheduleView current) {
    return body(bytes -> {
      ScheduleRequest.Parsed parsed;
      try {
        parsed = requests.change(specOf(current), bytes, Instant.now());
      } catch (InvalidScheduleException e) {
        return complete(invalid(e));
      }
      return completeWithFuture(entity(id)
          .ask((ActorRef<ScheduleEntity.ViewReply> reply) -> new ScheduleEntity.Change(
              parsed.spec(), parsed.paused(), reply), settings.askTimeout())
          .thenApply(r -> r.schedule() == null ? Problems.notFound("no schedule '" + id + "'")
              : Json.ok(render(r.schedule(), Map.of())))
          .exceptionally(this::timeout));
    });
  }

  private Route remove(String id) {
    return completeWithFuture(entity(id).ask(ScheduleEntity.Delete::new, settings.askTimeout())
        .thenApply(r -> r.schedule() == null ? Problems.notFound("no schedule '" + id + "'")
            : HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))
        .exceptionally(this::timeout));
  }

  private Route trigger(String id) {
    return completeWithFuture(entity(id).<ScheduleEntity.Requested>askWithStatus(
            ScheduleEntity.Trigger::new, settings.askTimeout())
        .thenApply(r -> requested(id, r))
        .exceptionally(e -> refusedOrTimeout(e, StatusCodes.CONFLICT, "trigger-refused",
            "Trigger refused")));
  }

  private Route backfill(String id) {
    return body(bytes -> {
      Instant from;
      Instant to;
      try {
        JsonNode root = Json.MAPPER.readTree(bytes);
        from = instant(root, "from");
        to = instant(root, "to");
      } catch (InvalidScheduleException e) {
        return complete(invalid(e));
      } catch (IOException e) {
        return complete(invalid(new InvalidScheduleException("$", "expected a JSON object "
            + "such as {\"from\": \"2025-06-02T00:00:00Z\", \"to\": \"2025-06-06T23:59:59Z\"}")));
      }
      if (to.isBefore(from)) {
        return complete(invalid(new InvalidScheduleException("to", "must not be before from")));
      }
      return completeWithFuture(entity(id).<ScheduleEntity.Requested>askWithStatus(
              reply -> new ScheduleEntity.Backfill(from, to, reply), settings.askTimeout())
          .thenApply(r -> requested(id, r))
          .exceptionally(e -> refusedOrTimeout(e, StatusCodes.UNPROCESSABLE_ENTITY,
              "backfill-refused", "Backfill refused")));
    });
  }

  private static Instant instant(JsonNode root, String field) {
    JsonNode n = root == null ? null : root.get(field);
    if (n == null || !n.isTextual()) {
      throw new InvalidScheduleException(field, "is required, an ISO-8601 instant such as "
          + "2025-06-02T00:00:00Z");
    }
    try {
      return java.time.OffsetDateTime.parse(n.asText()).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new InvalidScheduleException(field, "must be an ISO-8601 instant with an offset, "
          + "such as 2025-06-02T00:00:00Z");
    }
  }

  private static HttpResponse requested(String id, ScheduleEntity.Requested r) {
    List<Map<String, Object>> firings = new ArrayList<>();
    for (int i = 0; i < r.scheduledFor().size(); i++) {
      firings.add(Map.of("scheduledFor", r.scheduledFor().get(i), "job", r.jobs().get(i)));
    }
    return Json.response(StatusCodes.ACCEPTED, Map.of("schedule", id, "firings", firings))
        .addHeader(Location.create("/api/v1/schedules/" + id));
  }

  private HttpResponse refusedOrTimeout(Throwable e, org.apache.pekko.http.javadsl.model.StatusCode
      status, String type, String title) {
    StatusReply.ErrorMessage m = Problems.cause(e, StatusReply.ErrorMessage.class);
    return m != null
        ? Problems.problem(status, type, title, m.getMessage())
        : timeout(e);
  }

  /** A schedule as JSON: its graph as an object, each firing's job with its listed state. */
  private static ObjectNode render(ScheduleView s, Map<String, JobStatus> states) {
    ObjectNode node = Json.MAPPER.valueToTree(s);
    try {
      node.set("graph", Json.MAPPER.readTree(s.graph()));
    } catch (IOException e) {
      throw new IllegalStateException("stored graph of schedule " + s.id() + " is not JSON", e);
    }
    for (String list : List.of("lastFirings", "pending")) {
      for (JsonNode f : node.withArray(list)) {
        String job = f.path("job").asText(null);
        if (job != null && states.containsKey(job)) {
          ((ObjectNode) f).put("jobState", states.get(job).name());
        }
      }
    }
    ObjectNode links = node.putObject("links");
    links.put("self", "/api/v1/schedules/" + s.id());
    links.put("jobs", "/api/v1/jobs?schedule=" + s.id());
    return node;
  }

  /** The stored fields of a schedule, from its view, for PATCH to change. */
  private static ScheduleSpec specOf(ScheduleView s) {
    return new ScheduleSpec(s.name(), s.cron(), s.timeZone(),
        com.calcgrid.schedule.Overlap.parse(s.overlap()), Duration.parse(s.catchUpWindow()),
        s.graph(), s.startAt(), s.endAt());
  }

  static HttpResponse invalid(InvalidScheduleException e) {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("field", e.field());
    if (!e.problems().isEmpty()) {
      extra.put("errors", e.problems());
    }
    return Problems.problem(StatusCodes.BAD_REQUEST, "invalid-schedule", "Invalid schedule",
        e.getMessage(), extra);
  }

  /** The request body, read within the body timeout (its size is capped by max-body). */
  private Route body(Function<byte[], Route> inner) {
    return extractRequestEntity(entity -> extractMaterializer(mat -> onComplete(
        entity.toStrict(settings.bodyTimeout().toMillis(), mat), strict -> strict.isSuccess()
            ? inner.apply(strict.get().getData().toArray())
            : failWith(strict.failed().get()))));
  }

  private EntityRef<ScheduleEntity.Command> entity(String id) {
    return sharding.entityRefFor(ScheduleEntity.ENTITY_KEY, id);
  }

  private HttpResponse timeout(Throwable e) {
    return Incidents.unavailable("the schedule did not answer in time", e,
        Duration.ofSeconds(2));
  }
}
