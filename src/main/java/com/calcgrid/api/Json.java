package com.calcgrid.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;

/**
 * JSON bodies and RFC 9457 problem responses: the one place that turns answers and errors into
 * HTTP, so every route speaks the same way.
 */
public final class Json {
  /** Timestamps as ISO-8601 strings, Java records as objects. */
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .registerModule(new Jdk8Module())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  public static final ContentType PROBLEM = ContentTypes.create(
      MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));

  private static final String TYPE_BASE = "https://calcgrid.dev/problems/";

  private Json() {}

  public static HttpResponse ok(Object body) {
    return response(StatusCodes.OK, body);
  }

  public static HttpResponse response(StatusCode status, Object body) {
    return HttpResponse.create().withStatus(status)
        .withEntity(ContentTypes.APPLICATION_JSON, bytes(body));
  }

  public static byte[] bytes(Object body) {
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + body.getClass().getSimpleName(), e);
    }
  }

  public static String text(Object body) {
    try {
      return MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + body.getClass().getSimpleName(), e);
    }
  }

  /**
   * A problem+json response.
   *
   * @param type a short slug such as {@code invalid-graph}, expanded to a URI
   * @param extra more members of the problem object, e.g. {@code errors}
   */
  public static HttpResponse problem(StatusCode status, String type, String title, String detail,
      Map<String, ?> extra) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("type", TYPE_BASE + type);
    body.put("title", title);
    body.put("status", status.intValue());
    body.put("detail", detail);
    if (extra != null) {
      extra.forEach((k, v) -> body.set(k, MAPPER.valueToTree(v)));
    }
    return HttpResponse.create().withStatus(status).withEntity(PROBLEM, bytes(body));
  }

  public static HttpResponse problem(StatusCode status, String type, String title, String detail) {
    return problem(status, type, title, detail, null);
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
}
