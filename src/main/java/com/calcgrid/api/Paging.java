package com.calcgrid.api;

import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/** {@code offset} and {@code limit} query parameters, checked; {@code error} is set if they are bad. */
record Paging(int offset, int limit, HttpResponse error) {

  static Paging of(Map<String, String> params, int defaultLimit, int maxLimit) {
    try {
      int offset = Integer.parseInt(params.getOrDefault("offset", "0"));
      int limit = Integer.parseInt(params.getOrDefault("limit", Integer.toString(defaultLimit)));
      if (offset < 0) {
        return new Paging(0, 0, JobRoutes.badParam("offset", "must be >= 0, got " + offset));
      }
      if (limit < 1 || limit > maxLimit) {
        return new Paging(0, 0, JobRoutes.badParam("limit",
            "must be between 1 and " + maxLimit + ", got " + limit));
      }
      return new Paging(offset, limit, null);
    } catch (NumberFormatException e) {
      String name = isInt(params.get("offset")) ? "limit" : "offset";
      return new Paging(0, 0, JobRoutes.badParam(name, "must be an integer, got '"
          + params.get(name) + "'"));
    }
  }

  private static boolean isInt(String s) {
    if (s == null) {
      return true;
    }
    try {
      Integer.parseInt(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
