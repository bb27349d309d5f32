package com.calcgrid.api;

import com.calcgrid.cluster.NodeHealth;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /health/alive} (the process answers) and {@code /health/ready} (this node has joined
 * the cluster and the database answers): what load balancers and orchestrators probe. The
 * management port answers the same questions at {@code /alive} and {@code /ready}.
 */
public final class HealthRoutes extends AllDirectives {
  private final NodeHealth health;

  public HealthRoutes(NodeHealth health) {
    this.health = health;
  }

  public Route routes() {
    return pathPrefix("health", () -> concat(
        path("alive", () -> get(() -> complete(Json.ok(Map.of("status", "UP"))))),
        path("ready", () -> get(() -> completeWithFuture(ready())))));
  }

  private CompletionStage<HttpResponse> ready() {
    return health.readiness().thenApply(r -> {
      Map<String, Object> body = Map.of(
          "status", r.ready() ? "UP" : "DOWN",
          "cluster", r.cluster(),
          "database", r.database() ? "UP" : "DOWN");
      return r.ready() ? Json.ok(body) : Json.response(StatusCodes.SERVICE_UNAVAILABLE, body);
    });
  }
}
