package com.calcgrid.api;

import com.calcgrid.api.auth.AccessRole;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.cluster.javadsl.ClusterHttpManagementRoutes;

/**
 * {@code /cluster/...} on the API port, behind authentication: Pekko Management's cluster
 * routes, read-only ones ({@code GET /cluster/members}, {@code /cluster/shards/{name}}) for any
 * role, and the ones that change membership (leave, down) for admins only. The management port
 * itself serves only the read-only routes.
 */
public final class ClusterRoutes extends AllDirectives {
  private final Route readOnly;
  private final Route all;
  private final Authentication auth;

  public ClusterRoutes(ActorSystem<?> system, Authentication auth) {
    Cluster cluster = Cluster.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
    this.readOnly = ClusterHttpManagementRoutes.readOnly(cluster);
    this.all = ClusterHttpManagementRoutes.all(cluster);
    this.auth = auth;
  }

  public Route routes() {
    return pathPrefixTest("cluster", () -> auth.authenticated(caller -> extractMethod(method ->
        method.equals(HttpMethods.GET) || method.equals(HttpMethods.HEAD)
            ? auth.authorize(caller, AccessRole.VIEWER, "read cluster membership",
                () -> readOnly)
            : auth.authorize(caller, AccessRole.ADMIN, "change cluster membership",
                () -> all))));
  }
}
