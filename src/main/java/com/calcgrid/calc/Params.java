package com.calcgrid.calc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a function's params with messages that name the param and say what was wrong, for
 * {@link CalcFunction#validate} and {@link CalcFunction#apply} alike.
 */
public final class Params {
  private Params() {}

  /** A required number. */
  public static double number(JsonNode params, String name) {
    JsonNode v = params.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("param '" + name + "' is required");
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException("param '" + name + "' must be a number, got "
          + describe(v));
    }
    double d = v.doubleValue();
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException("param '" + name + "' must be finite, got " + v);
    }
    return d;
  }

  /** An optional number, {@code fallback} when absent or null. */
  public static double number(JsonNode params, String name, double fallback) {
    JsonNode v = params.get(name);
    return v == null || v.isNull() ? fallback : number(params, name);
  }

  /** A required number greater than zero. */
  public static double positive(JsonNode params, String name) {
    double d = number(params, name);
    if (d <= 0) {
      throw new IllegalArgumentException("param '" + name + "' must be positive, got " + d);
    }
    return d;
  }

  /** An optional whole number from {@code min} to {@code max}, {@code fallback} when absent. */
  public static long integer(JsonNode params, String name, long fallback, long min, long max) {
    JsonNode v = params.get(name);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min
        || v.longValue() > max) {
      throw new IllegalArgumentException("param '" + name + "' must be an integer from " + min
          + " to " + max + ", got " + describe(v));
    }
    return v.longValue();
  }

  /** A required whole number from {@code min} to {@code max}. */
  public static long integer(JsonNode params, String name, long min, long max) {
    if (params.get(name) == null || params.get(name).isNull()) {
      throw new IllegalArgumentException("param '" + name + "' is required");
    }
    return integer(params, name, 0, min, max);
  }

  /** A required string, one of {@code allowed}. */
  public static String oneOf(JsonNode params, String name, String... allowed) {
    JsonNode v = params.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("param '" + name + "' is required");
    }
    for (String a : allowed) {
      if (v.isTextual() && v.textValue().equals(a)) {
        return a;
      }
    }
    throw new IllegalArgumentException("param '" + name + "' must be one of "
        + String.join(", ", allowed) + ", got " + describe(v));
  }

  /** A JSON value as a message shows it: its type, and the value itself when short. */
  public static String describe(JsonNode v) {
    String type = v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    String text = v.toString();
    return text.length() <= 40 ? type + " " + text : type;
  }
}
