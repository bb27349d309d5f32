package com.calcgrid.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutations of a graph's JSON tree. Each knows which field it broke, so the test can check that
 * the refusal names it: the graph format is a schema, and every field of it is tried with the
 * wrong type, out of range, missing, or at its limit.
 */
final class FuzzTreeMutations {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** What a field of the graph format holds. */
  enum Type { STRING, INT, OBJECT, ARRAY }

  /** A field of the document, by its problem path, its container and key or index. */
  record Site(String path, JsonNode parent, String key, int index, Type type, long min, long max,
      boolean required) {
    JsonNode value() {
      return key != null ? parent.get(key) : parent.get(index);
    }

    void set(JsonNode v) {
      if (key != null) {
        ((ObjectNode) parent).set(key, v);
      } else {
        ((ArrayNode) parent).set(index, v);
      }
    }
  }

  /** @param expectWhere the path the refusal must name, or null if it may be accepted */
  record Result(JsonNode doc, String kind, String expectWhere) {}

  private final SplittableRandom rnd;
  private final GraphLimits limits;

  FuzzTreeMutations(SplittableRandom rnd, GraphLimits limits) {
    this.rnd = rnd;
    this.limits = limits;
  }

  Result mutate(JsonNode doc) {
    if (!(doc instanceof ObjectNode root) || !(root.get("tasks") instanceof ArrayNode tasks)
        || tasks.isEmpty() || !tasks.get(0).isObject()) {
      // an earlier round broke the shape: only whole-document changes still apply
      return replaceRoot();
    }
    List<Site> sites = sites(root);
    int pick = rnd.nextInt(100);
    if (pick < 22) {
      return wrongType(root, sites);
    }
    if (pick < 34) {
      return outOfRange(root, sites);
    }
    if (pick < 40) {
      return remove(root, sites);
    }
    if (pick < 50) {
      return forEachAtLimits(root, tasks);
    }
    if (pick < 62) {
      return badDeps(root, tasks);
    }
    if (pick < 70) {
      return oddParams(root, tasks);
    }
    if (pick < 78) {
      return unknownField(root, sites);
    }
    if (pick < 85) {
      return oddIdOrName(root, tasks);
    }
    if (pick < 91) {
      return unpairedSurrogate(root, sites);
    }
    if (pick < 95) {
      return sizeLimits(root, tasks);
    }
    if (pick < 97) {
      tasks.removeAll();
      return new Result(root, "no-tasks", "tasks");
    }
    return replaceRoot();
  }

  private Result replaceRoot() {
    JsonNode[] roots = {F.arrayNode(), F.textNode("tasks"), F.numberNode(1), F.nullNode(),
        F.booleanNode(true), F.arrayNode().add(F.objectNode())};
    return new Result(roots[rnd.nextInt(roots.length)], "root", "$");
  }

  private Result wrongType(ObjectNode root, List<Site> sites) {
    Site s = sites.get(rnd.nextInt(sites.size()));
    JsonNode v = switch (s.type()) {
      case STRING -> pick(F.numberNode(42), F.booleanNode(true), F.arrayNode().add("x"),
          F.objectNode(), F.numberNode(1.5));
      case INT -> pick(F.textNode("5"), F.numberNode(1.5), F.booleanNode(false), F.arrayNode(),
          F.objectNode(), F.numberNode(1000.0), F.textNode("NaN"), F.numberNode(-0.0));
      case OBJECT -> pick(F.textNode("{}"), F.numberNode(7), F.arrayNode(), F.booleanNode(true));
      case ARRAY -> pick(F.textNode("[]"), F.numberNode(3), F.objectNode(), F.booleanNode(true));
    };
    s.set(v);
    return new Result(root, "wrong-type", s.path());
  }

  private Result outOfRange(ObjectNode root, List<Site> sites) {
    List<Site> ints = sites.stream().filter(s -> s.type() == Type.INT).toList();
    if (ints.isEmpty()) {
      return wrongType(root, sites);
    }
    Site s = ints.get(rnd.nextInt(ints.size()));
    if (s.path().endsWith(".range[0]") || s.path().endsWith(".range[1]")) {
      return forEachAtLimits(root, (ArrayNode) root.get("tasks"));
    }
    switch (rnd.nextInt(6)) {
      case 0 -> s.set(F.numberNode(s.min()));
      case 1 -> s.set(F.numberNode(s.max()));
      case 2 -> {
        s.set(F.numberNode(s.min() - 1));
        return new Result(root, "below-range", s.path());
      }
      case 3 -> {
        s.set(F.numberNode(s.max() + 1));
        return new Result(root, "above-range", s.path());
      }
      case 4 -> {
        s.set(F.numberNode(BigInteger.TEN.pow(30 + rnd.nextInt(60))));
        return new Result(root, "huge-integer", s.path());
      }
      default -> {
        s.set(F.numberNode(rnd.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE));
        return new Result(root, "long-extreme", s.path());
      }
    }
    return new Result(root, "at-range", null);
  }

  private Result remove(ObjectNode root, List<Site> sites) {
    List<Site> required = sites.stream().filter(Site::required).toList();
    if (required.isEmpty() || rnd.nextInt(8) == 0) {
      root.remove("tasks");
      return new Result(root, "remove", "tasks");
    }
    Site s = required.get(rnd.nextInt(required.size()));
    ((ObjectNode) s.parent()).remove(s.key());
    return new Result(root, "remove", s.path());
  }

  private Result forEachAtLimits(ObjectNode root, ArrayNode tasks) {
    int t = objectTask(tasks);
    ObjectNode task = (ObjectNode) tasks.get(t);
    String where = "tasks[" + t + "].forEach";
    ObjectNode fe = F.objectNode();
    String param = "fz" + rnd.nextInt(1000);
    fe.put("param", param);
    long max = limits.maxTasks();
    String expect = null;
    String kind;
    switch (rnd.nextInt(9)) {
      case 0 -> {
        fe.putArray("range").add(0).add(max);
        kind = "range-at-limit";
      }
      case 1 -> {
        fe.putArray("range").add(0).add(max + 1);
        expect = "tasks";
        kind = "range-over-limit";
      }
      case 2 -> {
        fe.putArray("range").add(Long.MIN_VALUE).add(Long.MAX_VALUE);
        expect = "tasks";
        kind = "range-overflow";
      }
      case 3 -> {
        long at = rnd.nextLong();
        fe.putArray("range").add(at).add(at);
        expect = where + ".range";
        kind = "range-empty";
      }
      case 4 -> {
        fe.putArray("range").add(5).add(4);
        expect = where + ".range";
        kind = "range-reversed";
      }
      case 5 -> {
        fe.putArray("range").add(Integer.MAX_VALUE - 1L).add(Integer.MAX_VALUE + 2L);
        kind = "range-past-int";
      }
      case 6 -> {
        ArrayNode values = fe.putArray("values");
        int n = rnd.nextInt(5) == 0 ? Math.min(10_000, limits.maxTasks()) : 1 + rnd.nextInt(20);
        for (int i = 0; i < n; i++) {
          values.add(i);
        }
        kind = "values";
      }
      case 7 -> {
        fe.putArray("values");
        expect = where + ".values";
        kind = "values-empty";
      }
      default -> {
        fe.putArray("range").add(0).add(3);
        ObjectNode params = task.get("params") instanceof ObjectNode p ? p : task.putObject("params");
        params.put(param, 1);
        expect = where + ".param";
        kind = "param-also-in-params";
      }
    }
    task.set("forEach", fe);
    return new Result(root, "forEach-" + kind, expect);
  }

  private Result badDeps(ObjectNode root, ArrayNode tasks) {
    int t = objectTask(tasks);
    ObjectNode task = (ObjectNode) tasks.get(t);
    String id = task.path("id").asText("x");
    ArrayNode deps = task.get("deps") instanceof ArrayNode d ? d : task.putArray("deps");
    String where = "tasks[" + t + "].deps[" + deps.size() + "]";
    int other = objectTask(tasks);
    String otherId = tasks.get(other).path("id").asText("y");
    switch (rnd.nextInt(8)) {
      case 0 -> {
        deps.add(id);
        return new Result(root, "self-dep", where);
      }
      case 1 -> {
        deps.add("zz-unknown-" + rnd.nextInt(1000));
        return new Result(root, "unknown-dep", where);
      }
      case 2 -> {
        String[] bad = {"[+3]", "[]", "[0]x", " ", "a b", "x[0][1]", "x[-1]", "x[01]",
            "x[99999999999]", "x[1 ]", "x\u0000", "x]"};
        deps.add(otherId + bad[rnd.nextInt(bad.length)]);
        return new Result(root, "malformed-dep", where);
      }
      case 3 -> {
        boolean fanned = tasks.get(other).has("forEach");
        // an index on a single task, or one past the end of a range or values list
        deps.add(otherId + "[" + (fanned ? 999_999_999 : rnd.nextInt(3)) + "]");
        return new Result(root, "dep-index", other == t ? null : where);
      }
      case 4 -> {
        // a cycle through two templates (or a self-dependency when there is only one)
        deps.add(otherId);
        ObjectNode o = (ObjectNode) tasks.get(other);
        (o.get("deps") instanceof ArrayNode od ? od : o.putArray("deps")).add(id);
        return new Result(root, "cycle", null);
      }
      case 5 -> {
        deps.add(otherId);
        deps.add(otherId);
        return new Result(root, "duplicate-dep", null);
      }
      case 6 -> {
        ArrayNode big = task.putArray("deps");
        for (int i = 0; i <= limits.maxDepsPerTemplate(); i++) {
          big.add(otherId);
        }
        return new Result(root, "deps-over-limit", "tasks[" + t + "].deps");
      }
      default -> {
        ArrayNode big = task.putArray("deps");
        for (int i = 0; i < limits.maxDepsPerTemplate(); i++) {
          big.add("u" + i);
        }
        return new Result(root, "deps-at-limit", "tasks[" + t + "].deps[0]");
      }
    }
  }

  private Result oddParams(ObjectNode root, ArrayNode tasks) {
    int t = objectTask(tasks);
    ObjectNode task = (ObjectNode) tasks.get(t);
    ObjectNode params = task.get("params") instanceof ObjectNode p ? p : task.putObject("params");
    String where = "tasks[" + t + "].params";
    switch (rnd.nextInt(9)) {
      case 0 -> {
        // the document is 4 levels deep at params: root, tasks, the task, params
        int depth = 58 + rnd.nextInt(6);
        JsonNode v = F.numberNode(1);
        for (int i = 0; i < depth; i++) {
          v = rnd.nextBoolean() ? F.arrayNode().add(v) : F.objectNode().set("n", v);
        }
        params.set("deep", v);
        return new Result(root, "params-deep-" + depth, depth + 4 > 64 ? "$" : null);
      }
      case 1 -> params.set("big", F.numberNode(BigInteger.TEN.pow(rnd.nextInt(99))));
      case 2 -> params.put("value", pick("NaN", "Infinity", "-0", "1e999", "0x10"));
      case 3 -> params.put(pick("", "__proto__", "constructor", "\u00e9\u00e8", "\uD83D\uDE00",
          "a.b", "a[0]", "$"), rnd.nextInt());
      case 4 -> params.put("s", "\u00e9\uD83D\uDE00\u0000\\\"".repeat(1 + rnd.nextInt(2000)));
      case 5 -> params.putNull("value");
      case 6 -> params.put("value", rnd.nextBoolean() ? Double.MAX_VALUE : Double.MIN_VALUE);
      case 7 -> {
        ArrayNode a = params.putArray("list");
        for (int i = 0, n = rnd.nextInt(5000); i < n; i++) {
          a.add(i);
        }
      }
      default -> {
        task.set("params", pick(F.arrayNode(), F.textNode("x"), F.numberNode(0)));
        return new Result(root, "params-not-object", where);
      }
    }
    return new Result(root, "params-odd", null);
  }

  private Result unknownField(ObjectNode root, List<Site> sites) {
    List<Site> objects = new ArrayList<>(sites.stream().filter(s -> s.type() == Type.OBJECT
        && !s.path().endsWith(".params") && s.value() instanceof ObjectNode).toList());
    String name = pick("dep", "Deps", "ID", "__proto__", "", "fn ", "\u00e9", "x".repeat(300),
        "\uD83D\uDE00".repeat(40), "tasks\u0000", "$ref", "a.b", "[0]");
    Site s = objects.isEmpty() || rnd.nextInt(4) == 0 ? null : objects.get(rnd.nextInt(objects.size()));
    ObjectNode target = s == null ? root : (ObjectNode) s.value();
    if (target.has(name)) {
      return new Result(root, "unknown-field-taken", null);
    }
    target.put(name, 1);
    return new Result(root, "unknown-field", s == null ? Fields.member("$", name)
        : Fields.member(s.path(), name));
  }

  private Result oddIdOrName(ObjectNode root, ArrayNode tasks) {
    if (rnd.nextInt(3) == 0) {
      String[] names = {"", "n".repeat(SpecReader.MAX_NAME_LENGTH + 1), "bell\u0007",
          "nul\u0000", "line\nbreak", "del\u007f", "\u0085next"};
      if (rnd.nextInt(3) == 0) {
        root.put("name", "n".repeat(SpecReader.MAX_NAME_LENGTH));
        return new Result(root, "name-at-limit", null);
      }
      root.put("name", names[rnd.nextInt(names.length)]);
      return new Result(root, "odd-name", "name");
    }
    int t = objectTask(tasks);
    String[] ids = {"", "i".repeat(TaskRef.MAX_ID_LENGTH + 1), "a b", "a[0]", "\u00e9",
        "a\u0000", "\uD83D\uDE00", "a/b", "a\"b"};
    ((ObjectNode) tasks.get(t)).put("id", ids[rnd.nextInt(ids.length)]);
    return new Result(root, "odd-id", "tasks[" + t + "].id");
  }

  private Result unpairedSurrogate(ObjectNode root, List<Site> sites) {
    List<Site> strings = new ArrayList<>(sites.stream().filter(s -> s.type() == Type.STRING
        && !s.path().contains(".deps[")).toList());
    String lone = pick("\uD800", "\uDFFF", "x\uD83D", "\uDE00y");
    if (strings.isEmpty() || rnd.nextBoolean()) {
      // inside params, where the format puts no bound on what a string holds
      ArrayNode tasks = (ArrayNode) root.get("tasks");
      int t = objectTask(tasks);
      ObjectNode task = (ObjectNode) tasks.get(t);
      ObjectNode params = task.get("params") instanceof ObjectNode p ? p : task.putObject("params");
      params.putObject("nested").putArray("list").add("ok").add(lone);
      return new Result(root, "unpaired-surrogate", "tasks[" + t + "].params");
    }
    Site s = strings.get(rnd.nextInt(strings.size()));
    s.set(F.textNode(lone));
    return new Result(root, "unpaired-surrogate", s.path());
  }

  private Result sizeLimits(ObjectNode root, ArrayNode tasks) {
    // as many templates as the limit allows costs a second: rare, or the run measures only that
    if (rnd.nextInt(10) == 0) {
      int n = limits.maxTemplates() + (rnd.nextBoolean() ? 1 : 0);
      ObjectNode copy = (ObjectNode) tasks.get(0);
      ArrayNode many = root.putArray("tasks");
      for (int i = 0; i < n; i++) {
        ObjectNode task = F.objectNode();
        task.put("id", "m" + i);
        task.set("fn", copy.get("fn"));
        many.add(task);
      }
      return new Result(root, "templates-" + n, n > limits.maxTemplates() ? "tasks" : null);
    }
    ArrayNode tasksArray = tasks;
    for (int i = 0; i < 200; i++) {
      tasksArray.addObject().put("id", "").put("fn", 5);
    }
    return new Result(root, "many-problems", null);
  }

  /** Every field of the graph format in {@code root}, with its type and range. */
  static List<Site> sites(ObjectNode root) {
    List<Site> out = new ArrayList<>();
    field(out, root, "name", "name", Type.STRING, false);
    field(out, root, "tasks", "tasks", Type.ARRAY, true);
    if (root.get("defaults") instanceof ObjectNode d) {
      out.add(new Site("defaults", root, "defaults", -1, Type.OBJECT, 0, 0, false));
      retry(out, d, "defaults");
      intField(out, d, "defaults.timeoutMs", "timeoutMs", 1, SpecReader.MAX_TIMEOUT_MS);
      intField(out, d, "defaults.estimateMs", "estimateMs", 0, SpecReader.MAX_TIMEOUT_MS);
    }
    if (!(root.get("tasks") instanceof ArrayNode tasks)) {
      return out;
    }
    for (int t = 0; t < tasks.size(); t++) {
      if (!(tasks.get(t) instanceof ObjectNode task)) {
        continue;
      }
      String at = "tasks[" + t + "]";
      out.add(new Site(at, tasks, null, t, Type.OBJECT, 0, 0, false));
      field(out, task, at + ".id", "id", Type.STRING, true);
      field(out, task, at + ".fn", "fn", Type.STRING, true);
      field(out, task, at + ".params", "params", Type.OBJECT, false);
      field(out, task, at + ".deps", "deps", Type.ARRAY, false);
      if (task.get("deps") instanceof ArrayNode deps) {
        for (int j = 0; j < deps.size(); j++) {
          out.add(new Site(at + ".deps[" + j + "]", deps, null, j, Type.STRING, 0, 0, false));
        }
      }
      if (task.get("forEach") instanceof ObjectNode fe) {
        out.add(new Site(at + ".forEach", task, "forEach", -1, Type.OBJECT, 0, 0, false));
        field(out, fe, at + ".forEach.param", "param", Type.STRING, true);
        field(out, fe, at + ".forEach.values", "values", Type.ARRAY, false);
        if (fe.get("range") instanceof ArrayNode range && range.size() == 2) {
          out.add(new Site(at + ".forEach.range", fe, "range", -1, Type.ARRAY, 0, 0, false));
          out.add(new Site(at + ".forEach.range[0]", range, null, 0, Type.INT,
              Long.MIN_VALUE, Long.MAX_VALUE, false));
          out.add(new Site(at + ".forEach.range[1]", range, null, 1, Type.INT,
              Long.MIN_VALUE, Long.MAX_VALUE, false));
        }
      }
      retry(out, task, at);
      intField(out, task, at + ".timeoutMs", "timeoutMs", 1, SpecReader.MAX_TIMEOUT_MS);
      intField(out, task, at + ".estimateMs", "estimateMs", 0, SpecReader.MAX_TIMEOUT_MS);
    }
    return out;
  }

  private static void retry(List<Site> out, ObjectNode owner, String at) {
    if (owner.get("retry") instanceof ObjectNode r) {
      String p = at + ".retry";
      out.add(new Site(p, owner, "retry", -1, Type.OBJECT, 0, 0, false));
      intField(out, r, p + ".maxAttempts", "maxAttempts", 1, SpecReader.MAX_ATTEMPTS);
      intField(out, r, p + ".backoffMs", "backoffMs", 0, SpecReader.MAX_BACKOFF_MS);
      intField(out, r, p + ".maxBackoffMs", "maxBackoffMs", 0, SpecReader.MAX_BACKOFF_MS);
    }
  }

  private static void field(List<Site> out, ObjectNode owner, String path, String key, Type type,
      boolean required) {
    if (owner.hasNonNull(key)) {
      out.add(new Site(path, owner, key, -1, type, 0, 0, required));
    }
  }

  private static void intField(List<Site> out, ObjectNode owner, String path, String key,
      long min, long max) {
    if (owner.hasNonNull(key)) {
      out.add(new Site(path, owner, key, -1, Type.INT, min, max, false));
    }
  }

  /** A random valid graph: a DAG of util.sum templates, some fanned out, some with retries. */
  static ObjectNode randomGraph(SplittableRandom rnd) {
    ObjectNode g = F.objectNode();
    if (rnd.nextBoolean()) {
      g.put("name", "fuzz-" + rnd.nextInt(1000));
    }
    if (rnd.nextInt(4) == 0) {
      ObjectNode d = g.putObject("defaults");
      d.put("timeoutMs", 1 + rnd.nextInt(100_000));
      d.putObject("retry").put("maxAttempts", 1 + rnd.nextInt(5)).put("backoffMs", rnd.nextInt(500));
    }
    ArrayNode tasks = g.putArray("tasks");
    int n = 1 + rnd.nextInt(12);
    int[] counts = new int[n];
    for (int t = 0; t < n; t++) {
      ObjectNode task = tasks.addObject();
      task.put("id", pick(rnd, "t", "px", "risk.book", "a-b", "x:y", "n_") + t);
      task.put("fn", "util.sum");
      task.putObject("params").put("value", rnd.nextInt(100));
      if (rnd.nextInt(3) == 0) {
        counts[t] = 1 + rnd.nextInt(50);
        ObjectNode fe = task.putObject("forEach").put("param", "i");
        if (rnd.nextBoolean()) {
          long start = rnd.nextInt(1000) - 500;
          fe.putArray("range").add(start).add(start + counts[t]);
        } else {
          ArrayNode values = fe.putArray("values");
          for (int i = 0; i < counts[t]; i++) {
            values.add(rnd.nextBoolean() ? F.numberNode(i) : F.textNode("v" + i));
          }
        }
      }
      if (t > 0 && rnd.nextBoolean()) {
        ArrayNode deps = task.putArray("deps");
        for (int d = 0; d < t; d++) {
          if (rnd.nextInt(3) != 0) {
            continue;
          }
          String id = tasks.get(d).get("id").asText();
          deps.add(counts[d] > 0 && rnd.nextBoolean() ? id + "[" + rnd.nextInt(counts[d]) + "]"
              : id);
        }
      }
      if (rnd.nextInt(4) == 0) {
        task.putObject("retry").put("maxAttempts", 1 + rnd.nextInt(100))
            .put("backoffMs", rnd.nextInt(1000)).put("maxBackoffMs", 1000 + rnd.nextInt(10_000));
      }
      if (rnd.nextInt(4) == 0) {
        task.put("timeoutMs", 1 + rnd.nextInt(86_400_000)).put("estimateMs", rnd.nextInt(1000));
      }
    }
    return g;
  }

  /** A random entry of {@code tasks} that is an object (an earlier round may have broken some). */
  private int objectTask(ArrayNode tasks) {
    int t = rnd.nextInt(tasks.size());
    while (!tasks.get(t).isObject()) {
      t = (t + 1) % tasks.size();
    }
    return t;
  }

  @SafeVarargs
  private <T> T pick(T... choices) {
    return choices[rnd.nextInt(choices.length)];
  }

  @SafeVarargs
  private static <T> T pick(SplittableRandom rnd, T... choices) {
    return choices[rnd.nextInt(choices.length)];
  }
}
