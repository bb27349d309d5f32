package com.calcgrid.api;

import com.calcgrid.api.auth.AccessRole;
import com.calcgrid.api.auth.Caller;
import com.calcgrid.api.auth.TokenVerifier;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is calling, and may they: bearer tokens to {@link Caller}s (401 when missing or invalid),
 * and roles to permissions (403). With authentication off every caller is {@link Caller#OPEN}.
 *
 * <p>The token comes from the {@code Authorization: Bearer} header, or, for WebSocket upgrades
 * only (browsers cannot set headers there), from the {@code access_token} query parameter. It is
 * never logged.
 */
public final class Authentication extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(Authentication.class);
  private static final String REALM = "calcgrid";
  private static final Pattern EVENTS_PATH =
      Pattern.compile("/api/v1/jobs/[A-Za-z0-9_-]{1,64}/events/?");

  private final TokenVerifier verifier;

  /** @param verifier null when authentication is off */
  public Authentication(TokenVerifier verifier) {
    this.verifier = verifier;
  }

  public boolean enabled() {
    return verifier != null;
  }

  /** Runs {@code inner} with the verified caller, or answers 401. */
  public Route authenticated(Function<Caller, Route> inner) {
    if (verifier == null) {
      return inner.apply(Caller.OPEN);
    }
    return extractRequest(request -> {
      Optional<String> token = token(request);
      if (token.isEmpty()) {
        boolean inQuery = request.getUri().query().get("access_token").isPresent();
        return complete(unauthorized("no bearer token: send 'Authorization: Bearer <token>'"
            + (inQuery ? " (access_token in the query is accepted only to open the WebSocket "
                + "of GET /api/v1/jobs/{id}/events)" : ""), false));
      }
      Caller caller;
      try {
        caller = verifier.verify(token.get());
      } catch (TokenVerifier.Rejected r) {
        log.debug("token rejected: {}", r.getMessage());
        return complete(r.keysUnavailable()
            ? Incidents.unavailable("cannot check tokens right now: the token issuer's keys "
                + "are not available", r, Duration.ofSeconds(5))
            : unauthorized(r.getMessage(), true));
      }
      return inner.apply(caller);
    });
  }

  /** Runs {@code inner} if the caller has {@code needed}; otherwise 403. */
  public Route authorize(Caller caller, AccessRole needed, String action, Supplier<Route> inner) {
    if (caller.may(needed)) {
      return inner.get();
    }
    return complete(forbidden(caller, needed, action));
  }

  static HttpResponse forbidden(Caller caller, AccessRole needed, String action) {
    String has = caller.roles().isEmpty() ? "no role"
        : "role " + caller.roles().stream().map(AccessRole::claim).sorted()
            .collect(Collectors.joining(", "));
    return Problems.problem(StatusCodes.FORBIDDEN, "forbidden", "Forbidden",
        "'" + caller.subject() + "' (" + has + ") may not " + action + ": that needs the '"
            + needed.claim() + "' role" + (caller == Caller.OPEN
            ? "; authentication is off on this node, and this needs a token" : ""),
        Map.of("requiredRole", needed.claim()));
  }

  private static Optional<String> token(HttpRequest request) {
    Optional<String> header = request.getHeader("Authorization").map(h -> h.value().strip());
    if (header.isPresent()) {
      String value = header.get();
      int space = value.indexOf(' ');
      boolean bearer = space > 0
          && value.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer");
      return bearer ? Optional.of(value.substring(space + 1).strip()).filter(t -> !t.isEmpty())
          : Optional.empty();
    }
    return queryTokenAllowed(request)
        ? request.getUri().query().get("access_token").filter(t -> !t.isEmpty())
        : Optional.empty();
  }

  /**
   * Only a real WebSocket upgrade of a job's event stream: a GET that Pekko recognised as a
   * valid upgrade (not merely one with an {@code Upgrade} header) to
   * {@code /api/v1/jobs/{id}/events}. Anywhere else a token in a URL would be one more place
   * for it to leak (proxy logs, browser history) with no need for it.
   */
  static boolean queryTokenAllowed(HttpRequest request) {
    return request.method().equals(HttpMethods.GET)
        && EVENTS_PATH.matcher(request.getUri().path()).matches()
        && request.getAttribute(AttributeKeys.webSocketUpgrade).isPresent();
  }

  /** RFC 6750: 401 with a Bearer challenge, and the reason in the problem's detail. */
  private static HttpResponse unauthorized(String reason, boolean invalid) {
    Map<String, String> params = invalid
        ? Map.of("error", "invalid_token", "error_description", headerSafe(reason))
        : Map.of();
    return Problems.problem(StatusCodes.UNAUTHORIZED, "unauthorized", "Unauthorized", reason)
        .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", REALM, params)));
  }

  private static String headerSafe(String text) {
    return text.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "'");
  }
}
