package com.calcgrid.api;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * Who may change cluster membership through the API ({@code leave}, {@code down}). Routes see
 * only this hook. Today it is decided by the client's socket address
 * ({@code calcgrid.http.admin-clients}: {@code loopback}, the default, {@code any} or
 * {@code none}); the authentication work replaces it with a check for an admin role in the
 * caller's token.
 *
 * <p>The address is the TCP peer, never a forwarding header, so a client cannot claim to be
 * local. A reverse proxy on the same host makes every request local: set {@code none} there.
 */
@FunctionalInterface
public interface AdminCheck {

  /** Why a request is refused, as an HTTP status and a sentence. */
  record Refusal(StatusCode status, String detail) {}

  /**
   * @param client the TCP peer's address, empty if the server did not record it
   * @return empty when the request may go ahead
   */
  Optional<Refusal> check(HttpRequest request, Optional<InetAddress> client);

  static AdminCheck loopbackOnly() {
    return (request, client) -> client.filter(InetAddress::isLoopbackAddress).isPresent()
        ? Optional.empty()
        : Optional.of(new Refusal(StatusCodes.FORBIDDEN, "cluster administration is allowed "
            + "only from the node's own host (calcgrid.http.admin-clients = loopback)"));
  }

  static AdminCheck anyone() {
    return (request, client) -> Optional.empty();
  }

  static AdminCheck nobody() {
    return (request, client) -> Optional.of(new Refusal(StatusCodes.FORBIDDEN,
        "cluster administration through the API is switched off "
            + "(calcgrid.http.admin-clients = none)"));
  }

  /** {@code loopback}, {@code any} or {@code none}. */
  static AdminCheck named(String setting) {
    return switch (setting.trim().toLowerCase(Locale.ROOT)) {
      case "loopback" -> loopbackOnly();
      case "any" -> anyone();
      case "none" -> nobody();
      default -> throw new IllegalArgumentException("calcgrid.http.admin-clients must be "
          + "loopback, any or none, not '" + setting + "'");
    };
  }
}
