package com.calcgrid.api;

import com.calcgrid.api.auth.AccessRole;
import com.calcgrid.api.auth.Caller;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web dashboard: its page at {@code /} and its files under {@code /ui/}, served from the
 * jar's {@code dashboard/} folder (nothing is fetched from elsewhere, so it works on an
 * air-gapped grid), and {@code GET /api/v1/me}, which tells the page who the caller is.
 *
 * <p>The files hold no data and need no token; every piece of data the page shows comes from the
 * API with the caller's token. Job names, errors and results are shown as text, never as markup,
 * and the Content-Security-Policy below allows no inline script, no script from elsewhere and no
 * framing, so that a hostile job name cannot run or hide anything in the page.
 */
public final class DashboardRoutes extends AllDirectives {
  static final String CSP = String.join("; ",
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'");

  private static final List<HttpHeader> HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", CSP),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("X-Frame-Options", "DENY"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      // an upgraded node serves its own files at once; unchanged files cost a 304
      RawHeader.create("Cache-Control", "no-cache"));

  private final Authentication auth;

  public DashboardRoutes(Authentication auth) {
    this.auth = auth;
  }

  public Route routes() {
    // paths before methods: a `get` that passes cancels the 405s of the routes tried before it
    return concat(
        pathSingleSlash(() -> get(() -> respondWithHeaders(HEADERS, () -> getFromResource(
            "dashboard/index.html", ContentTypes.TEXT_HTML_UTF8)))),
        pathPrefix("ui", () -> get(() -> respondWithHeaders(HEADERS,
            () -> getFromResourceDirectory("dashboard")))),
        path(org.apache.pekko.http.javadsl.server.PathMatchers.segment("api").slash("v1")
            .slash("me"), () -> get(() -> auth.authenticated(caller -> complete(
                Json.ok(me(caller)))))));
  }

  /** What the page needs to know of the caller: whom to show, and which buttons to offer. */
  private Map<String, Object> me(Caller caller) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("subject", caller.subject());
    m.put("tenant", caller.tenant());
    m.put("roles", caller.roles().stream().map(AccessRole::claim).sorted().toList());
    m.put("authentication", auth.enabled());
    m.put("maySubmit", caller.may(AccessRole.SUBMITTER));
    m.put("isAdmin", caller.isAdmin());
    return m;
  }
}
