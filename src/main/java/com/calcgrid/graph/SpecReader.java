package com.calcgrid.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a JSON tree into a {@link GraphSpec}, checking the shape of every field and applying
 * defaults. Cross-references (ids, deps, functions) are left to {@link GraphValidator}.
 */
final class SpecReader {
  static final String DEFAULT_NAME = "unnamed";
  static final int MAX_NAME_LENGTH = 200;
  static final long DEFAULT_TIMEOUT_MS = 600_000;
  static final long MAX_TIMEOUT_MS = 86_400_000;
  static final int MAX_ATTEMPTS = 100;
  static final long MAX_BACKOFF_MS = 3_600_000;
  /** Far above any node's calcgrid.limits.max-result-bytes; the validator checks the node's. */
  static final long MAX_RESULT_BYTES = Integer.MAX_VALUE;

  private static final List<String> TOP = List.of("name", "tasks", "defaults", "priority", "deadline");
  private static final List<String> DEFAULTS = List.of("retry", "timeoutMs", "estimateMs");
  private static final List<String> TASK =
      List.of("id", "fn", "params", "deps", "forEach", "retry", "timeoutMs", "estimateMs",
          "maxResultBytes");
  private static final List<String> FOR_EACH = List.of("param", "range", "values");
  private static final List<String> RETRY = List.of("maxAttempts", "backoffMs", "maxBackoffMs");

  private final Problems problems = new Problems();
  private RetryPolicy defaultRetry = RetryPolicy.DEFAULT;
  private long defaultTimeoutMs = DEFAULT_TIMEOUT_MS;
  private long defaultEstimateMs;

  private SpecReader() {}

  static GraphSpec read(JsonNode root) {
    return new SpecReader().graph(root);
  }

  private GraphSpec graph(JsonNode root) {
    if (!(root instanceof ObjectNode)) {
      throw new InvalidGraphException("$",
          "must be a JSON object with a 'tasks' array, got " + Fields.describe(root));
    }
    checkText(root);
    Fields top = Fields.of(root, "$", problems);
    top.rejectUnknown(TOP);
    String name = top.string("name", false, MAX_NAME_LENGTH);
    int control = name == null ? -1 : firstControl(name);
    if (control >= 0) {
      // a label for people, shown in lists and logs; PostgreSQL's text cannot hold U+0000
      problems.add("name", String.format("must not contain control characters, got U+%04X at "
          + "character %d", (int) name.charAt(control), control + 1));
      name = null;
    }
    String priority = top.string("priority", false, 32);
    if (priority != null && !GraphSpec.PRIORITIES.contains(priority)) {
      problems.add("priority", "must be one of " + GraphSpec.PRIORITIES + ", got '" + priority
          + "'");
    }
    String deadline = top.string("deadline", false, 64);
    if (deadline != null) {
      try {
        // kept as posted, in UTC's canonical form
        deadline = java.time.Instant.parse(deadline).toString();
      } catch (java.time.format.DateTimeParseException e) {
        problems.add("deadline", "must be an ISO-8601 instant such as 2026-12-08T18:00:00Z, got '"
            + deadline + "'");
        deadline = null;
      }
    }
    readDefaults(top);
    List<TaskTemplate> tasks = new ArrayList<>();
    ArrayNode array = top.array("tasks", "a non-empty array of tasks");
    if (array == null && !top.has("tasks")) {
      problems.add("tasks", "is required");
    } else if (array != null && array.isEmpty()) {
      problems.add("tasks", "must contain at least one task");
    } else if (array != null) {
      for (int i = 0; i < array.size(); i++) {
        tasks.add(task(array.get(i), "tasks[" + i + "]"));
      }
    }
    problems.throwIfAny();
    return new GraphSpec(name != null ? name : DEFAULT_NAME, List.copyOf(tasks), priority,
        deadline);
  }

  /** A member or element of the document on the way down, its path built only if needed. */
  private record Step(JsonNode node, Step parent, String key, int index) {
    String path() {
      if (parent == null) {
        return "$";
      }
      String up = parent.path();
      return key != null ? Fields.member(up, key) : up + "[" + index + "]";
    }
  }

  /**
   * Every string and key of the document must be valid Unicode. JSON's {@code \\u} escapes can
   * spell half of a surrogate pair, which no UTF-8 writer (the journal's CBOR, PostgreSQL) can
   * store: refused here, rather than failing after the graph was accepted.
   */
  private void checkText(JsonNode root) {
    ArrayDeque<Step> pending = new ArrayDeque<>();
    pending.push(new Step(root, null, null, -1));
    while (!pending.isEmpty()) {
      Step s = pending.pop();
      JsonNode n = s.node();
      if (n.isTextual()) {
        int at = Text.unpairedSurrogate(n.textValue());
        if (at >= 0) {
          problems.add(s.path(), unpaired(n.textValue(), at, "string"));
        }
      } else if (n.isObject()) {
        for (Map.Entry<String, JsonNode> e : n.properties()) {
          int at = Text.unpairedSurrogate(e.getKey());
          if (at >= 0) {
            problems.add(s.path(), unpaired(e.getKey(), at, "key"));
          }
          pending.push(new Step(e.getValue(), s, e.getKey(), -1));
        }
      } else if (n.isArray()) {
        for (int i = n.size() - 1; i >= 0; i--) {
          pending.push(new Step(n.get(i), s, null, i));
        }
      }
    }
  }

  private static String unpaired(String s, int at, String what) {
    return String.format("the %s holds half of a UTF-16 surrogate pair (\\u%04X at character "
        + "%d), which is not Unicode text; send the whole pair or the character itself", what,
        (int) s.charAt(at), at + 1);
  }

  private static int firstControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private void readDefaults(Fields top) {
    JsonNode node = top.get("defaults");
    if (node == null) {
      return;
    }
    Fields defaults = Fields.of(node, "defaults", problems);
    if (defaults == null) {
      return;
    }
    defaults.rejectUnknown(DEFAULTS);
    if (defaults.has("retry")) {
      RetryPolicy retry = retry(defaults.get("retry"), defaults.path("retry"));
      defaultRetry = retry != null ? retry : defaultRetry;
    }
    Long timeout = defaults.integer("timeoutMs", 1, MAX_TIMEOUT_MS);
    defaultTimeoutMs = timeout != null ? timeout : defaultTimeoutMs;
    Long estimate = defaults.integer("estimateMs", 0, MAX_TIMEOUT_MS);
    defaultEstimateMs = estimate != null ? estimate : defaultEstimateMs;
  }

  private TaskTemplate task(JsonNode node, String where) {
    Fields f = Fields.of(node, where, problems);
    if (f == null) {
      return null;
    }
    f.rejectUnknown(TASK);
    String id = f.string("id", true, TaskRef.MAX_ID_LENGTH);
    if (id != null && !TaskRef.isValidId(id)) {
      problems.add(f.path("id"), "invalid id " + Text.quote(id)
          + ": use 1 to 128 letters, digits, '_', '-', '.' or ':'");
    }
    String fn = f.string("fn", true, 200);
    ObjectNode params = f.object("params");
    if (params == null) {
      params = JsonNodeFactory.instance.objectNode();
    }
    List<String> deps = deps(f);
    ForEach forEach =
        f.has("forEach") ? forEach(f.get("forEach"), f.path("forEach"), params) : null;
    RetryPolicy retry = f.has("retry") ? retry(f.get("retry"), f.path("retry")) : defaultRetry;
    Long timeout = f.integer("timeoutMs", 1, MAX_TIMEOUT_MS);
    Long estimate = f.integer("estimateMs", 0, MAX_TIMEOUT_MS);
    Long maxResult = f.integer("maxResultBytes", 1, MAX_RESULT_BYTES);
    return new TaskTemplate(id, fn, params, deps, forEach,
        retry != null ? retry : defaultRetry, timeout != null ? timeout : defaultTimeoutMs,
        estimate != null ? estimate : defaultEstimateMs, maxResult != null ? maxResult : 0);
  }

  private List<String> deps(Fields f) {
    ArrayNode array = f.array("deps", "an array of task ids");
    if (array == null) {
      return List.of();
    }
    List<String> deps = new ArrayList<>(array.size());
    for (int j = 0; j < array.size(); j++) {
      JsonNode dep = array.get(j);
      if (dep.isTextual()) {
        deps.add(dep.textValue());
      } else {
        problems.add(f.path("deps") + "[" + j + "]",
            "must be a task id string, got " + Fields.describe(dep));
      }
    }
    return List.copyOf(deps);
  }

  private ForEach forEach(JsonNode node, String where, ObjectNode params) {
    Fields f = Fields.of(node, where, problems);
    if (f == null) {
      return null;
    }
    f.rejectUnknown(FOR_EACH);
    String param = f.string("param", true, 200);
    if (param != null && params.has(param)) {
      problems.add(f.path("param"), "forEach sets param " + Text.quote(param)
          + " on every expansion, so it must not also be given in params");
    }
    JsonNode range = f.get("range");
    JsonNode values = f.get("values");
    if (range != null && values != null) {
      problems.add(where, "has both 'range' and 'values'; give exactly one");
      return null;
    }
    if (range == null && values == null) {
      problems.add(where, "needs exactly one of 'range' or 'values'");
      return null;
    }
    if (range != null) {
      Long start = range.isArray() && range.size() == 2 ? Fields.asLong(range.get(0)) : null;
      Long end = range.isArray() && range.size() == 2 ? Fields.asLong(range.get(1)) : null;
      if (start == null || end == null) {
        problems.add(f.path("range"), "must be an array of two integers [start, end), got "
            + Fields.describe(range));
        return null;
      }
      if (end <= start) {
        problems.add(f.path("range"), "end (" + end + ") must be greater than start (" + start
            + "); the range [start, end) is half-open and may not be empty");
        return null;
      }
      return new ForEach(param, start, end, null);
    }
    if (!(values instanceof ArrayNode array) || array.isEmpty()) {
      problems.add(f.path("values"), "must be a non-empty array, got " + Fields.describe(values));
      return null;
    }
    return new ForEach(param, null, null, array);
  }

  private RetryPolicy retry(JsonNode node, String where) {
    Fields f = Fields.of(node, where, problems);
    if (f == null) {
      return null;
    }
    f.rejectUnknown(RETRY);
    Long attempts = f.integer("maxAttempts", 1, MAX_ATTEMPTS);
    Long backoff = f.integer("backoffMs", 0, MAX_BACKOFF_MS);
    Long maxBackoff = f.integer("maxBackoffMs", 0, MAX_BACKOFF_MS);
    // A default never contradicts a value the author gave: each adapts to the other.
    RetryPolicy d = RetryPolicy.DEFAULT;
    long b = backoff != null ? backoff
        : maxBackoff != null ? Math.min(d.backoffMs(), maxBackoff) : d.backoffMs();
    long m = maxBackoff != null ? maxBackoff : Math.max(d.maxBackoffMs(), b);
    if (m < b) {
      problems.add(f.path("maxBackoffMs"),
          "must be at least backoffMs (" + b + "), got " + m);
      return null;
    }
    return new RetryPolicy(attempts != null ? attempts.intValue() : d.maxAttempts(), b, m);
  }
}
