package com.calcgrid.api;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * The root route: every resource's routes, with rejections and exceptions answered as
 * {@code application/problem+json} instead of Pekko's plain-text defaults.
 */
public final class HttpApi extends AllDirectives {
  private HttpApi() {}

  public static Route root(Route first, Route... more) {
    HttpApi d = new HttpApi();
    // built once: the suppliers below run for every request
    ExceptionHandler exceptions = exceptions();
    RejectionHandler rejections = rejections();
    Route routes = d.concat(first, more);
    return d.withRequestTimeoutResponse(request -> Incidents.unavailable(
            "the server did not answer in time; the request may or may not have taken effect",
            new TimeoutException(request.method().name() + " " + request.getUri().path()
                + " took longer than pekko.http.server.request-timeout"), Duration.ofSeconds(2)),
        () -> d.handleExceptions(exceptions, () -> d.handleRejections(rejections,
            () -> routes)));
  }

  private static ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(EntityStreamSizeException.class, e -> new HttpApi().complete(Problems.tooLarge(e.limit())))
        .matchAny(e -> new HttpApi().complete(Incidents.internal(e)))
        .build();
  }

  private static RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rs -> new HttpApi().complete(Problems.problem(
            StatusCodes.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed",
            "this resource supports " + rs.stream().map(r -> r.supported().name()).distinct()
                .reduce((a, b) -> a + ", " + b).orElse("no method"))))
        .handleNotFound(new HttpApi().extractUnmatchedPath(p -> new HttpApi().complete(
            Problems.notFound("no resource at this path"))))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(r -> {
          if (r.entity().getContentType().equals(Json.PROBLEM)
              || r.status().intValue() < 400) {
            return r;
          }
          String text = r.entity() instanceof org.apache.pekko.http.javadsl.model.HttpEntity.Strict s
              ? s.getData().utf8String() : r.status().reason();
          return Problems.problem(r.status(), "request-rejected", r.status().reason(), text,
              Map.of());
        });
  }
}
