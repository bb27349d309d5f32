package com.calcgrid.api;

import com.calcgrid.cluster.NodeHealth;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /health/alive} (the process answers) and {@code /health/ready} (this node has joined
 * the cluster, the database answers and the journal takes writes): what load balancers and
 * orchestrators probe. Readiness answers from the last background checks ({@link NodeHealth}),
 * never with a query of its own. The management port answers the same questions at
 * {@code /alive} and {@code /ready}.
 */
public final class HealthRoutes extends AllDirectives {
  private final NodeHealth health;

  public HealthRoutes(NodeHealth health) {
    this.health = health;
  }

  public Route routes() {
    return pathPrefix("health", () -> concat(
        path("alive", () -> get(() -> complete(Json.ok(Map.of("status", "UP"))))),
        path("ready", () -> get(() -> complete(ready())))));
  }

  private HttpResponse ready() {
    NodeHealth.Readiness r = health.readiness();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", r.ready() ? "UP" : "DOWN");
    body.put("cluster", r.cluster());
    body.put("database", r.database() ? "UP" : "DOWN");
    body.put("journal", r.journal() ? "UP" : "DOWN");
    if (r.reason() != null) {
      body.put("reason", r.reason());
    }
    return r.ready() ? Json.ok(body) : Json.response(StatusCodes.SERVICE_UNAVAILABLE, body);
  }
}
