package com.calcgrid.api;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers for failures inside the node (500, and 503 whose cause is ours): the client gets a
 * sentence about what did not work and a correlation id, and the node's log gets the same id
 * with the real cause. Exception texts (an ask's target actor, a JDBC driver's message, a
 * token issuer's URL) describe the node's insides and never go into a response.
 */
public final class Incidents {
  private static final Logger log = LoggerFactory.getLogger(Incidents.class);
  /** Response header carrying the id, for clients that do not read problem bodies. */
  static final String HEADER = "X-Correlation-Id";

  private Incidents() {}

  /**
   * 503 with Retry-After.
   *
   * @param detail what did not work, in words fit for any client
   * @param cause the real failure, for the log only
   */
  public static HttpResponse unavailable(String detail, Throwable cause, Duration retryAfter) {
    String id = newId();
    log.warn("503 [correlationId={}] {}: {}", id, detail, describe(cause));
    return withId(Problems.problem(StatusCodes.SERVICE_UNAVAILABLE, "unavailable",
            "Service unavailable", detail + " (correlation id " + id + ")",
            Map.of("correlationId", id)), id)
        .addHeader(RetryAfter.create(Math.max(1, retryAfter.toSeconds())));
  }

  /** 500: a failure nobody expected; the log gets its stack trace. */
  public static HttpResponse internal(Throwable cause) {
    String id = newId();
    log.error("500 [correlationId={}] request failed", id, cause);
    return withId(Problems.problem(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "Internal error",
        "the server failed to answer; the operator finds the cause in the node's log under "
            + "correlation id " + id, Map.of("correlationId", id)), id);
  }

  private static HttpResponse withId(HttpResponse response, String id) {
    return response.addHeader(RawHeader.create(HEADER, id));
  }

  /** The cause chain as the log shows it: every level's class and message. */
  private static String describe(Throwable cause) {
    if (cause == null) {
      return "no exception";
    }
    StringBuilder text = new StringBuilder(cause.toString());
    for (Throwable t = cause.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      text.append(" <- ").append(t);
      if (text.length() > 2000) {
        break;
      }
    }
    return text.toString();
  }

  /** 16 random hex digits: enough to find one line among a node's logs. */
  static String newId() {
    byte[] b = new byte[8];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
