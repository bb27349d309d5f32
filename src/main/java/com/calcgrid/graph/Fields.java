package com.calcgrid.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Typed, problem-reporting access to the fields of one JSON object of a graph document. Every
 * getter returns null when the field is absent, JSON null, or wrong (after recording a
 * problem), so the reader can carry on and report everything in one pass.
 */
final class Fields {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,59}");

  private final ObjectNode node;
  private final String where;
  private final Problems problems;

  private Fields(ObjectNode node, String where, Problems problems) {
    this.node = node;
    this.where = where;
    this.problems = problems;
  }

  /** The object's fields, or null (and a problem) if {@code node} is not an object. */
  static Fields of(JsonNode node, String where, Problems problems) {
    if (node instanceof ObjectNode object) {
      return new Fields(object, where, problems);
    }
    problems.add(where, "must be an object, got " + describe(node));
    return null;
  }

  String where() {
    return where;
  }

  String path(String field) {
    return "$".equals(where) ? field : where + "." + field;
  }

  boolean has(String field) {
    return get(field) != null;
  }

  /**
   * The path of member {@code name} of the object at {@code where}: {@code where.name} for a
   * plain name, {@code where["..."]} (JSON-quoted, clipped) for any other, so an empty, dotted
   * or bracketed key still gives a path that says which member it is.
   */
  static String member(String where, String name) {
    if (PLAIN.matcher(name).matches()) {
      return "$".equals(where) ? name : where + "." + name;
    }
    return where + "[" + Text.jsonQuote(Text.clip(name)) + "]";
  }

  /** Unknown fields are errors: they are usually typos ({@code dep} for {@code deps}). */
  void rejectUnknown(List<String> allowed) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        String hint = Text.closest(name, allowed);
        problems.add(member(where, name), "unknown field " + Text.quote(name)
            + (hint != null ? "; did you mean '" + hint + "'?" : "")
            + " (allowed: " + String.join(", ", allowed) + ")");
      }
    }
  }

  /** The raw value; null when absent or JSON null, which both mean "use the default". */
  JsonNode get(String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value;
  }

  String string(String field, boolean required, int maxLength) {
    JsonNode value = get(field);
    if (value == null) {
      if (required) {
        problems.add(path(field), "is required");
      }
      return null;
    }
    if (!value.isTextual()) {
      problems.add(path(field), "must be a string, got " + describe(value));
      return null;
    }
    String s = value.textValue();
    if (s.isEmpty() || s.length() > maxLength) {
      problems.add(path(field), "must be 1 to " + maxLength + " characters, got " + s.length());
      return null;
    }
    return s;
  }

  Long integer(String field, long min, long max) {
    JsonNode value = get(field);
    if (value == null) {
      return null;
    }
    Long n = asLong(value);
    if (n == null || n < min || n > max) {
      problems.add(path(field),
          "must be an integer from " + min + " to " + max + ", got " + describe(value));
      return null;
    }
    return n;
  }

  ObjectNode object(String field) {
    JsonNode value = get(field);
    if (value == null || value instanceof ObjectNode) {
      return (ObjectNode) value;
    }
    problems.add(path(field), "must be an object, got " + describe(value));
    return null;
  }

  ArrayNode array(String field, String expected) {
    JsonNode value = get(field);
    if (value == null || value instanceof ArrayNode) {
      return (ArrayNode) value;
    }
    problems.add(path(field), "must be " + expected + ", got " + describe(value));
    return null;
  }

  /** A whole number that fits a long; fractions and exponents are not integers here. */
  static Long asLong(JsonNode value) {
    return value != null && value.isIntegralNumber() && value.canConvertToLong()
        ? value.longValue() : null;
  }

  /** A short description of a value for "got ..." in messages. */
  static String describe(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return "null";
    }
    if (value.isTextual()) {
      return "string \"" + Text.clip(value.textValue()) + "\"";
    }
    if (value.isNumber()) {
      return "number " + Text.clip(value.asText());
    }
    if (value.isBoolean()) {
      return value.asText();
    }
    if (value.isArray()) {
      return value.size() > 10 ? "an array of " + value.size() + " elements"
          : Text.clip(value.toString());
    }
    if (value.isObject()) {
      return value.size() > 10 ? "an object with " + value.size() + " fields"
          : Text.clip(value.toString());
    }
    return value.getNodeType().name().toLowerCase();
  }
}
