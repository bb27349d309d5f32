package com.calcgrid.api;

import com.calcgrid.api.auth.AccessRole;
import com.calcgrid.api.auth.Caller;
import com.calcgrid.cluster.ClusterView;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/cluster}: the cluster as this node sees it (members, reachability, worker load,
 * job supervisors per node) for any role, and, for administrators only, asking a member to leave
 * or marking it down. Changing membership needs the admin role and passes the network rule of
 * {@link AdminCheck} as well. With authentication off there is no admin, so it is refused,
 * unless the operator allows it without a token ({@code calcgrid.http.admin-without-auth}),
 * when the network rule alone decides.
 */
public final class ClusterRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(ClusterRoutes.class);

  private final ActorSystem<?> system;
  private final ClusterView view;
  private final AdminCheck admin;
  private final Authentication auth;
  private final boolean adminWithoutAuth;

  /**
   * @param adminWithoutAuth whether, with authentication off, anonymous callers that pass
   *     {@code admin} may change membership ({@code calcgrid.http.admin-without-auth})
   */
  public ClusterRoutes(ActorSystem<?> system, ClusterView view, AdminCheck admin,
      Authentication auth, boolean adminWithoutAuth) {
    this.system = system;
    this.view = view;
    this.admin = admin;
    this.auth = auth;
    this.adminWithoutAuth = adminWithoutAuth;
  }

  public Route routes() {
    return pathPrefix("api", () -> pathPrefix("v1", () -> pathPrefix("cluster",
        () -> auth.authenticated(caller -> concat(
            pathEndOrSingleSlash(() -> get(() -> auth.authorize(caller, AccessRole.VIEWER,
                "read the cluster", () -> completeWithFuture(view.collect().thenApply(Json::ok))))),
            path(PathMatchers.segment("members").slash(PathMatchers.segment())
                    .slash(PathMatchers.segment()),
                (member, action) -> post(() -> admin(caller,
                    () -> extractRequest(request -> administer(request, member, action))))))))));
  }

  /**
   * The admin role when authentication is on. With it off every caller is anonymous: refused,
   * unless the operator chose to let the network rule of {@link AdminCheck} alone decide.
   */
  private Route admin(Caller caller, Supplier<Route> inner) {
    if (auth.enabled()) {
      return auth.authorize(caller, AccessRole.ADMIN, "change cluster membership", inner);
    }
    if (adminWithoutAuth) {
      return inner.get();
    }
    return complete(Problems.problem(StatusCodes.FORBIDDEN, "forbidden", "Forbidden",
        "changing cluster membership needs a token with the 'admin' role, and authentication "
            + "is off on this node; to allow it without a token from the clients that "
            + "calcgrid.http.admin-clients admits, set calcgrid.http.admin-without-auth = true "
            + "(CALCGRID_ADMIN_WITHOUT_AUTH)",
        Map.of("requiredRole", AccessRole.ADMIN.claim())));
  }

  private Route administer(HttpRequest request, String member, String action) {
    if (!action.equals("leave") && !action.equals("down")) {
      return complete(Problems.notFound("no action '" + action + "'; use leave or down"));
    }
    Optional<InetAddress> client = request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress);
    Optional<AdminCheck.Refusal> refused = admin.check(request, client);
    if (refused.isPresent()) {
      return complete(Problems.problem(refused.get().status(), "forbidden", "Not allowed",
          refused.get().detail()));
    }
    Cluster cluster = Cluster.get(system);
    Address target = null;
    for (Member m : cluster.state().getMembers()) {
      if (m.address().toString().equals(member)
          || ClusterView.nodeName(m.address()).equals(member)) {
        target = m.address();
      }
    }
    if (target == null) {
      return complete(Problems.notFound("no cluster member '" + member
          + "'; name it as pekko://calcgrid@host:port or host:port, see GET /api/v1/cluster"));
    }
    log.warn("{} of {} requested through the API by {}", action, target,
        client.map(InetAddress::getHostAddress).orElse("an unknown client"));
    if (action.equals("leave")) {
      cluster.manager().tell(Leave.create(target));
    } else {
      cluster.manager().tell(new Down(target));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("address", target.toString());
    body.put("action", action);
    body.put("detail", action.equals("leave")
        ? "the member is asked to leave: it hands over its shards and stops"
        : "the member is marked down: its shards move, and it must be stopped if still running");
    return complete(Json.response(StatusCodes.ACCEPTED, body));
  }
}
