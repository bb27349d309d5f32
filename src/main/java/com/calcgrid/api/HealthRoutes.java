package com.calcgrid.api;

import com.calcgrid.job.JobIndex;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /health/alive} (the process answers) and {@code /health/ready} (this node has joined
 * the cluster and the database answers): what load balancers and orchestrators probe.
 */
public final class HealthRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final JobIndex index;
  private final Duration dbTimeout;

  public HealthRoutes(ActorSystem<?> system, JobIndex index, Duration dbTimeout) {
    this.system = system;
    this.index = index;
    this.dbTimeout = dbTimeout;
  }

  public Route routes() {
    return pathPrefix("health", () -> concat(
        path("alive", () -> get(() -> complete(Json.ok(Map.of("status", "UP"))))),
        path("ready", () -> get(() -> completeWithFuture(ready())))));
  }

  private CompletionStage<HttpResponse> ready() {
    MemberStatus self = Cluster.get(system).selfMember().status();
    boolean joined = self == MemberStatus.up() || self == MemberStatus.weaklyUp();
    return index.ping().toCompletableFuture()
        .completeOnTimeout(false, dbTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(e -> false)
        .thenApply(db -> {
          Map<String, Object> body = Map.of(
              "status", joined && db ? "UP" : "DOWN",
              "cluster", self.toString(),
              "database", db ? "UP" : "DOWN");
          return joined && db ? Json.ok(body)
              : Json.response(StatusCodes.SERVICE_UNAVAILABLE, body);
        });
  }
}
