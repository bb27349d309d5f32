package com.calcgrid.api;

import java.util.Map;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * {@code offset} and {@code limit} query parameters, checked; {@code error} is set if they are
 * bad. Both are bounded so that {@code offset + limit} and the arithmetic of any page behind
 * them stay far from {@code int} overflow: an offset past the end is an empty page, never a
 * wrap to the first one.
 */
record Paging(int offset, int limit, HttpResponse error) {
  /** The largest offset: more than any listing holds (a job has at most a few million tasks). */
  static final int MAX_OFFSET = 1_000_000_000;
  /** Digits only, short enough to parse as a long without overflow. */
  private static final Pattern NUMBER = Pattern.compile("[+-]?[0-9]{1,18}");

  static Paging of(Map<String, String> params, int defaultLimit, int maxLimit) {
    String offset = params.getOrDefault("offset", "0");
    String limit = params.getOrDefault("limit", Integer.toString(defaultLimit));
    if (!inRange(offset, 0, MAX_OFFSET)) {
      return new Paging(0, 0, Problems.badParam("offset",
          "must be an integer from 0 to " + MAX_OFFSET + ", got '" + excerpt(offset) + "'"));
    }
    if (!inRange(limit, 1, maxLimit)) {
      return new Paging(0, 0, Problems.badParam("limit",
          "must be an integer from 1 to " + maxLimit + ", got '" + excerpt(limit) + "'"));
    }
    return new Paging(Integer.parseInt(offset), Integer.parseInt(limit), null);
  }

  /** The start of a value, so an error never echoes a long parameter back whole. */
  private static String excerpt(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "...";
  }

  private static boolean inRange(String value, long min, long max) {
    if (!NUMBER.matcher(value).matches()) {
      return false;
    }
    long n = Long.parseLong(value);
    return n >= min && n <= max;
  }
}
