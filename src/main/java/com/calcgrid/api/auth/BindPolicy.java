package com.calcgrid.api.auth;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Safe by default: a node without authentication listens on loopback addresses only. Anything
 * else must be asked for in words ({@code CALCGRID_AUTH_DISABLED_I_UNDERSTAND=true}), because
 * an open node runs whatever graph anyone who reaches it posts.
 */
public final class BindPolicy {

  /** The node must not start as configured; the message says why and what to do. */
  public static final class UnsafeBindException extends IllegalStateException {
    UnsafeBindException(String message) {
      super(message);
    }
  }

  /** How the node will run. {@code warnings} are to be logged at WARN. */
  public record Verdict(boolean open, List<String> warnings) {}

  private BindPolicy() {}

  /**
   * Checks the addresses the node will listen on against its authentication settings.
   *
   * @throws UnsafeBindException when authentication is off, an address is not loopback and the
   *     opt-out is not set
   */
  public static Verdict check(Config config, AuthSettings auth) {
    Map<String, String> addresses = addresses(config);
    Map<String, String> exposed = new LinkedHashMap<>();
    addresses.forEach((setting, host) -> {
      if (!isLoopback(host)) {
        exposed.put(setting, host);
      }
    });
    boolean tlsRemoting = config.getString("pekko.remote.artery.transport").equals("tls-tcp");
    if (auth.enabled()) {
      return new Verdict(false, exposed.isEmpty() || tlsRemoting ? List.of() : List.of(
          "cluster remoting listens on " + config.getString("pekko.remote.artery.canonical.hostname")
              + " without TLS: anyone who reaches its port can join the cluster; use "
              + "conf/tls-remoting.conf outside a private network"));
    }
    if (exposed.isEmpty()) {
      return new Verdict(true, List.of("authentication is off: this node serves anyone who can "
          + "reach " + String.join(", ", new java.util.LinkedHashSet<>(addresses.values()))
          + " (loopback only); configure "
          + "CALCGRID_AUTH_JWKS or CALCGRID_AUTH_HS256_SECRET before exposing it"));
    }
    StringBuilder what = new StringBuilder();
    exposed.forEach((setting, host) -> what.append(what.length() == 0 ? "" : ", ")
        .append(setting).append(" = ").append(host));
    if (!auth.openAccessAcknowledged()) {
      throw new UnsafeBindException("refusing to start: authentication is off and the node "
          + "would listen on a non-loopback address (" + what + "). Anyone who can reach it "
          + "could run jobs. Configure authentication (CALCGRID_AUTH_JWKS or "
          + "CALCGRID_AUTH_HS256_SECRET, with CALCGRID_AUTH_ISSUER and CALCGRID_AUTH_AUDIENCE), "
          + "or bind to 127.0.0.1 (CALCGRID_HOST), or, if something in front of the node "
          + "authenticates every request, set CALCGRID_AUTH_DISABLED_I_UNDERSTAND=true. "
          + "See docs/security.md.");
    }
    return new Verdict(true, List.of("AUTHENTICATION IS DISABLED on a non-loopback address ("
        + what + ") because CALCGRID_AUTH_DISABLED_I_UNDERSTAND=true: anyone who reaches this "
        + "node can submit and cancel jobs"));
  }

  /** Every address the node listens on, by the setting that names it. */
  private static Map<String, String> addresses(Config config) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("calcgrid.host (HTTP API)", config.getString("calcgrid.host"));
    a.put("pekko.management.http.hostname", config.getString("pekko.management.http.hostname"));
    String mgmtBind = config.getString("pekko.management.http.bind-hostname");
    if (!mgmtBind.isBlank()) {
      a.put("pekko.management.http.bind-hostname", mgmtBind);
    }
    return a;
  }

  /** True for loopback addresses and names that resolve only to them. */
  static boolean isLoopback(String host) {
    if (host == null || host.isBlank()) {
      return false;
    }
    try {
      InetAddress[] all = InetAddress.getAllByName(host.strip());
      for (InetAddress address : all) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
