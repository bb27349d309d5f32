package com.calcgrid.calc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Reads a function's params with messages that name the param and say what was wrong, for
 * {@link CalcFunction#validate} and {@link CalcFunction#apply} alike.
 *
 * <p>Methods taking {@code (params, name)} read a top-level param. Methods named {@code as...}
 * take the value itself and the path to show, e.g. {@code market.underlyings.U0.vol}, so nested
 * params get the same messages.
 */
public final class Params {
  private Params() {}

  /** A required number. */
  public static double number(JsonNode params, String name) {
    return asNumber(params.get(name), name);
  }

  /** An optional number, {@code fallback} when absent or null. */
  public static double number(JsonNode params, String name, double fallback) {
    JsonNode v = params.get(name);
    return isAbsent(v) ? fallback : asNumber(v, name);
  }

  /** A required number greater than zero. */
  public static double positive(JsonNode params, String name) {
    return asPositive(params.get(name), name);
  }

  /** An optional whole number from {@code min} to {@code max}, {@code fallback} when absent. */
  public static long integer(JsonNode params, String name, long fallback, long min, long max) {
    JsonNode v = params.get(name);
    return isAbsent(v) ? fallback : asInteger(v, name, min, max);
  }

  /** A required whole number from {@code min} to {@code max}. */
  public static long integer(JsonNode params, String name, long min, long max) {
    return asInteger(params.get(name), name, min, max);
  }

  /** A required string, one of {@code allowed}. */
  public static String oneOf(JsonNode params, String name, String... allowed) {
    JsonNode v = required(params.get(name), name);
    for (String a : allowed) {
      if (v.isTextual() && v.textValue().equals(a)) {
        return a;
      }
    }
    throw new IllegalArgumentException("param '" + name + "' must be one of "
        + String.join(", ", allowed) + ", got " + describe(v));
  }

  /** An optional boolean, {@code fallback} when absent or null. */
  public static boolean bool(JsonNode params, String name, boolean fallback) {
    JsonNode v = params.get(name);
    if (isAbsent(v)) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException("param '" + name + "' must be true or false, got "
          + describe(v));
    }
    return v.booleanValue();
  }

  /**
   * Rejects keys of {@code object} that are not in {@code allowed}: a misspelt optional param
   * (say {@code confidance}) would otherwise silently fall back to its default.
   *
   * @param path the object's path for messages, empty for the top-level params
   */
  public static void allowOnly(JsonNode object, String path, String... allowed) {
    List<String> names = List.of(allowed);
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!names.contains(key)) {
        throw new IllegalArgumentException("unknown param '" + join(path, key) + "' (allowed: "
            + String.join(", ", allowed) + ")");
      }
    }
  }

  /** {@code path.key}, or {@code key} at the top level. */
  public static String join(String path, String key) {
    return path == null || path.isEmpty() ? key : path + "." + key;
  }

  /** True for a missing value or JSON null, which both mean "use the default". */
  public static boolean isAbsent(JsonNode v) {
    return v == null || v.isNull() || v.isMissingNode();
  }

  /** The value itself, which must be present. */
  public static JsonNode required(JsonNode v, String path) {
    if (isAbsent(v)) {
      throw new IllegalArgumentException("param '" + path + "' is required");
    }
    return v;
  }

  /** A required finite number. */
  public static double asNumber(JsonNode v, String path) {
    required(v, path);
    if (!v.isNumber()) {
      throw new IllegalArgumentException("param '" + path + "' must be a number, got "
          + describe(v));
    }
    double d = v.doubleValue();
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException("param '" + path + "' must be finite, got " + v);
    }
    return d;
  }

  /** A required number greater than zero. */
  public static double asPositive(JsonNode v, String path) {
    double d = asNumber(v, path);
    if (d <= 0) {
      throw new IllegalArgumentException("param '" + path + "' must be positive, got " + d);
    }
    return d;
  }

  /** A required number from {@code min} to {@code max}, both included. */
  public static double asNumber(JsonNode v, String path, double min, double max) {
    double d = asNumber(v, path);
    if (d < min || d > max) {
      throw new IllegalArgumentException("param '" + path + "' must be from " + min + " to "
          + max + ", got " + d);
    }
    return d;
  }

  /** A required whole number from {@code min} to {@code max}. */
  public static long asInteger(JsonNode v, String path, long min, long max) {
    required(v, path);
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min
        || v.longValue() > max) {
      throw new IllegalArgumentException("param '" + path + "' must be an integer from " + min
          + " to " + max + ", got " + describe(v));
    }
    return v.longValue();
  }

  /** A required non-empty string. */
  public static String asText(JsonNode v, String path) {
    required(v, path);
    if (!v.isTextual() || v.textValue().isEmpty()) {
      throw new IllegalArgumentException("param '" + path + "' must be a non-empty string, got "
          + describe(v));
    }
    return v.textValue();
  }

  /** A required JSON object. */
  public static JsonNode asObject(JsonNode v, String path) {
    required(v, path);
    if (!v.isObject()) {
      throw new IllegalArgumentException("param '" + path + "' must be an object, got "
          + describe(v));
    }
    return v;
  }

  /** A JSON value as a message shows it: its type, and the value itself when short. */
  public static String describe(JsonNode v) {
    String type = v.getNodeType().name().toLowerCase(Locale.ROOT);
    String text = v.toString();
    return text.length() <= 40 ? type + " " + text : type;
  }
}
