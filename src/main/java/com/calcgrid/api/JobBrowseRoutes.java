package com.calcgrid.api;

import com.calcgrid.job.JobSupervisor;
import com.calcgrid.job.TaskStatus;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/jobs/{id}/tasks} (a page of tasks, optionally of one template and in one
 * state) and
 * {@code GET /api/v1/jobs/{id}/graph} (the graph by template with counts per state): what the
 * dashboard browses a job with. {@link JobRoutes} checks the caller and the job's tenant first.
 */
final class JobBrowseRoutes extends AllDirectives {
  static final int DEFAULT_ROWS = 100;
  static final int MAX_ROWS = 200;
  private static final int MAX_TEMPLATE_ID = 1000;

  private final ClusterSharding sharding;
  private final Duration askTimeout;

  JobBrowseRoutes(ClusterSharding sharding, Duration askTimeout) {
    this.sharding = sharding;
    this.askTimeout = askTimeout;
  }

  Route tasks(String id, Map<String, String> params) {
    TaskStatus state = null;
    String name = params.get("state");
    if (name != null && !name.isEmpty()) {
      try {
        state = TaskStatus.valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return complete(Problems.badParam("state", "must be one of "
            + Arrays.toString(TaskStatus.values()) + ", got '" + name + "'"));
      }
    }
    Paging paging = Paging.of(params, DEFAULT_ROWS, MAX_ROWS);
    if (paging.error() != null) {
      return complete(paging.error());
    }
    String template = params.get("template");
    if (template != null && (template.isEmpty() || template.length() > MAX_TEMPLATE_ID)) {
      return complete(Problems.badParam("template", "must be a template id of 1 to "
          + MAX_TEMPLATE_ID + " characters"));
    }
    TaskStatus filter = state;
    return completeWithFuture(entity(id)
        .ask((ActorRef<JobSupervisor.TaskPageReply> reply) -> new JobSupervisor.GetTaskPage(
            template, filter, paging.offset(), paging.limit(), reply), askTimeout)
        .thenApply(r -> r.page() == null ? Problems.notFound("no job '" + id + "'") : Json.ok(r.page()))
        .exceptionally(this::timeout));
  }

  Route graph(String id) {
    return completeWithFuture(entity(id)
        .ask(JobSupervisor.GetGraph::new, askTimeout)
        .thenApply(r -> r.graph() == null ? Problems.notFound("no job '" + id + "'")
            : Json.ok(r.graph()))
        .exceptionally(this::timeout));
  }

  private EntityRef<JobSupervisor.Command> entity(String id) {
    return sharding.entityRefFor(JobSupervisor.ENTITY_KEY, id);
  }

  private HttpResponse timeout(Throwable e) {
    return Incidents.unavailable("the job's supervisor did not answer in time", e,
        Duration.ofSeconds(2));
  }
}
