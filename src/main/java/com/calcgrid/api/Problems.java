package com.calcgrid.api;

import com.calcgrid.graph.InvalidGraphException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;

/**
 * RFC 9457 problem responses ({@code application/problem+json}): the one place that turns a
 * refusal into HTTP, so every route says what is wrong and where in the same way. Failures
 * inside the node, whose causes stay in the log, are {@link Incidents}.
 */
public final class Problems {
  private static final String TYPE_BASE = "https://calcgrid.dev/problems/";

  private Problems() {}

  /**
   * A problem+json response.
   *
   * @param type a short slug such as {@code invalid-graph}, expanded to a URI
   * @param extra more members of the problem object, e.g. {@code errors}
   */
  public static HttpResponse problem(StatusCode status, String type, String title, String detail,
      Map<String, ?> extra) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("type", TYPE_BASE + type);
    body.put("title", title);
    body.put("status", status.intValue());
    body.put("detail", detail);
    if (extra != null) {
      extra.forEach((k, v) -> body.set(k, Json.MAPPER.valueToTree(v)));
    }
    return HttpResponse.create().withStatus(status).withEntity(Json.PROBLEM, Json.bytes(body));
  }

  public static HttpResponse problem(StatusCode status, String type, String title, String detail) {
    return problem(status, type, title, detail, null);
  }

  /** 400 for query parameter {@code name}: {@code message} says what is wrong with it. */
  public static HttpResponse badParam(String name, String message) {
    return problem(StatusCodes.BAD_REQUEST, "invalid-parameter", "Invalid parameter",
        "query parameter '" + name + "' " + message, Map.of("parameter", name));
  }

  /** 400 for a graph that is not valid, 422 for one over a limit; each problem with its path. */
  public static HttpResponse invalidGraph(InvalidGraphException e) {
    return e.overLimit()
        ? problem(StatusCodes.UNPROCESSABLE_ENTITY, "graph-too-large", "Graph too large",
            e.getMessage(), Map.of("errors", e.problems()))
        : problem(StatusCodes.BAD_REQUEST, "invalid-graph", "Invalid graph",
            e.getMessage(), Map.of("errors", e.problems()));
  }

  /**
   * 413 for a body over {@code calcgrid.http.max-body}: no Retry-After, as the same body is
   * refused again however long the client waits.
   */
  public static HttpResponse tooLarge(long limit) {
    return problem(StatusCodes.PAYLOAD_TOO_LARGE, "body-too-large",
        "Request body too large", "the request body exceeds the limit of " + limit
            + " bytes (calcgrid.http.max-body, CALCGRID_MAX_BODY)",
        Map.of("limit", limit, "setting", "CALCGRID_MAX_BODY"));
  }

  /** 503 with Retry-After: the caller should try again, nothing was changed or it is unknown. */
  public static HttpResponse unavailable(String detail, Duration retryAfter) {
    return problem(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "Service unavailable", detail)
        .addHeader(RetryAfter.create(Math.max(1, retryAfter.toSeconds())));
  }

  /** 429 with Retry-After: this caller sent more than it may; nothing was changed. */
  public static HttpResponse tooManyRequests(String type, String title, String detail,
      Duration retryAfter) {
    return problem(StatusCodes.TOO_MANY_REQUESTS, type, title, detail)
        .addHeader(RetryAfter.create(Math.max(1, retryAfter.toSeconds())));
  }

  public static HttpResponse notFound(String what) {
    return problem(StatusCodes.NOT_FOUND, "not-found", "Not found", what);
  }

  /**
   * The first of {@code e} and its causes that is a {@code type}, or null: a refusal that
   * arrives wrapped in a future's exception is still answered as what it is.
   */
  public static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
