package com.calcgrid.graph;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Hand-written hostile documents: nesting, numbers, strings and counts just under, at and over
 * each JSON and graph limit, and bodies that are not a graph at all. Built for the limits in
 * force, so the same list probes a node configured with smaller ones.
 */
final class FuzzHostile {
  /** One hostile document; {@code expectWhere} as in {@link FuzzInputs.Input}. */
  record Doc(String kind, byte[] bytes, String expectWhere) {}

  /** What a hostile document is built from. */
  private record Ctx(GraphLimits limits, JsonLimits json, SplittableRandom rnd) {}

  private static final List<Function<Ctx, Doc>> ALL = new ArrayList<>();
  private static final Set<Integer> HEAVY = new HashSet<>();
  private static final String TASK = "{\"id\":\"a\",\"fn\":\"util.sum\"}";

  static {
    text("empty", "", "$");
    text("whitespace", " \n\t\r ", "$");
    text("null", "null", "$");
    text("array", "[]", "$");
    text("string", "\"tasks\"", "$");
    text("number", "1e999999", "$");
    text("empty-object", "{}", "tasks");
    text("tasks-null", "{\"tasks\":null}", "tasks");
    text("tasks-object", "{\"tasks\":{}}", "tasks");
    text("tasks-empty", "{\"tasks\":[]}", "tasks");
    text("nan", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"params\":{\"value\":NaN}}]}", "$");
    text("infinity", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"timeoutMs\":Infinity}]}", "$");
    text("comment", "{/* c */\"tasks\":[" + TASK + "]}", "$");
    text("single-quotes", "{'tasks':[" + TASK + "]}", "$");
    text("trailing-comma", "{\"tasks\":[" + TASK + ",]}", "$");
    text("two-documents", "{\"tasks\":[" + TASK + "]}{\"tasks\":[" + TASK + "]}", "$");
    text("leading-zero", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"timeoutMs\":01}]}", "$");
    text("duplicate-key", "{\"tasks\":[{\"id\":\"a\",\"id\":\"b\",\"fn\":\"util.sum\"}]}", "tasks[0]");
    text("duplicate-top-key", "{\"tasks\":[" + TASK + "],\"tasks\":[]}", "$");
    text("escaped-nul-name", "{\"name\":\"a\\u0000b\",\"tasks\":[" + TASK + "]}", "name");
    text("lone-surrogate-name", "{\"name\":\"\\ud800\",\"tasks\":[" + TASK + "]}", "name");
    text("lone-surrogate-param", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"params\":"
        + "{\"field\":\"x\\udc00\"}}]}", "tasks[0].params.field");
    text("reversed-pair", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"forEach\":"
        + "{\"param\":\"\\ude00\\ud83d\",\"values\":[1]}}]}", "tasks[0].forEach.param");
    text("escaped-surrogate-key", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"params\":"
        + "{\"\\ud800\":1}}]}", null);
    text("cycle", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"deps\":[\"b\"]},"
        + "{\"id\":\"b\",\"fn\":\"util.sum\",\"deps\":[\"a\"]}]}", "tasks[0].deps[0]");
    text("self-dep", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"deps\":[\"a\"]}]}",
        "tasks[0].deps[0]");
    text("whole-and-one", "{\"tasks\":[{\"id\":\"p\",\"fn\":\"util.sum\",\"forEach\":{\"param\":"
        + "\"i\",\"range\":[0,3]}},{\"id\":\"b\",\"fn\":\"util.sum\",\"deps\":[\"p\",\"p[1]\"]}]}",
        "tasks[1].deps[1]");
    text("range-long-extremes", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"forEach\":"
        + "{\"param\":\"i\",\"range\":[-9223372036854775808,9223372036854775807]}}]}", "tasks");
    text("range-past-long", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"forEach\":"
        + "{\"param\":\"i\",\"range\":[0,9223372036854775808]}}]}", "tasks[0].forEach.range");
    text("index-past-int", "{\"tasks\":[{\"id\":\"p\",\"fn\":\"util.sum\",\"forEach\":{\"param\":"
        + "\"i\",\"range\":[0,3]}},{\"id\":\"b\",\"fn\":\"util.sum\",\"deps\":[\"p[4294967296]\"]}]}",
        "tasks[1].deps[0]");
    text("float-timeout", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"timeoutMs\":1.0}]}",
        "tasks[0].timeoutMs");
    text("exponent-timeout", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"timeoutMs\":1e3}]}",
        "tasks[0].timeoutMs");
    text("tiny-float", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"params\":"
        + "{\"value\":4.9e-325}}]}", null);
    text("backoff-inverted", "{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"retry\":"
        + "{\"backoffMs\":5000,\"maxBackoffMs\":10}}]}", "tasks[0].retry.maxBackoffMs");
    text("raw-control-char", "{\"name\":\"a\u0001b\",\"tasks\":[" + TASK + "]}", "$");
    text("unicode-escapes", "{\"name\":\"" + "\\u0041".repeat(190) + "\",\"tasks\":[" + TASK
        + "]}", null);
    bytes("bom-utf8", c -> concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf},
        utf8("{\"tasks\":[" + TASK + "]}")), null);
    bytes("utf16", c -> FuzzInputs.encode("{\"tasks\":[" + TASK + "]}", "UTF-16"), null);
    bytes("utf32", c -> FuzzInputs.encode("{\"tasks\":[" + TASK + "]}", "UTF-32LE"), null);
    bytes("bad-utf8-name", c -> concat(utf8("{\"name\":\""),
        new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'}), "$");
    for (int d : new int[] {-1, 0, 1, 1000, 100_000}) {
      bytes("nesting-limit" + sign(d), c -> nested(c.json().maxNestingDepth() + d, true),
          d > 0 ? "$" : null);
    }
    heavy("nesting-unclosed", c -> utf8("{\"tasks\":[{\"params\":" + "[".repeat(200_000)), "$");
    bytes("nesting-objects", c -> nested(c.json().maxNestingDepth() + 1, false), "$");
    for (int d : new int[] {0, 1, 10_000}) {
      bytes("number-length" + sign(d), c -> utf8("{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\","
          + "\"params\":{\"value\":" + "7".repeat(c.json().maxNumberLength() + d) + "}}]}"),
          d > 0 ? "$" : null);
      bytes("fraction-length" + sign(d), c -> utf8("{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\","
          + "\"params\":{\"value\":0." + "3".repeat(c.json().maxNumberLength() - 1 + d) + "}}]}"),
          d > 0 ? "$" : null);
    }
    for (int d : new int[] {0, 1}) {
      heavy("string-length" + sign(d), c -> utf8("{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\","
          + "\"params\":{\"s\":\"" + "s".repeat(c.json().maxStringLength() + d) + "\"}}]}"),
          d > 0 ? "$" : null);
      heavy("key-length" + sign(d), c -> utf8("{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\","
          + "\"params\":{\"" + "k".repeat(50_000 + d) + "\":1}}]}"), d > 0 ? "$" : null);
      bytes("name-length" + sign(d), c -> utf8("{\"name\":\""
          + "n".repeat(SpecReader.MAX_NAME_LENGTH + d) + "\",\"tasks\":[" + TASK + "]}"),
          d > 0 ? "name" : null);
      bytes("id-length" + sign(d), c -> utf8("{\"tasks\":[{\"id\":\""
          + "i".repeat(TaskRef.MAX_ID_LENGTH + d) + "\",\"fn\":\"util.sum\"}]}"),
          d > 0 ? "tasks[0].id" : null);
      heavy("templates" + sign(d), c -> templates(c.limits().maxTemplates() + d),
          d > 0 ? "tasks" : null);
      heavy("deps" + sign(d), c -> deps(c.limits().maxDepsPerTemplate() + d),
          d > 0 ? "tasks[1].deps" : null);
      bytes("range" + sign(d), c -> utf8("{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\","
          + "\"forEach\":{\"param\":\"i\",\"range\":[7," + (7L + c.limits().maxTasks() + d)
          + "]}}]}"), d > 0 ? "tasks" : null);
    }
    heavy("many-unknown-fields", c -> {
      StringBuilder b = new StringBuilder("{\"tasks\":[" + TASK + "]");
      for (int i = 0; i < 20_000; i++) {
        b.append(",\"u").append(i).append("\":").append(i);
      }
      return utf8(b.append('}').toString());
    }, "u0");
    heavy("many-bad-tasks", c -> {
      StringBuilder b = new StringBuilder("{\"tasks\":[");
      for (int i = 0; i < 5_000; i++) {
        b.append(i == 0 ? "" : ",").append("{\"id\":\"\",\"fn\":7,\"deps\":[\"?\"]}");
      }
      return utf8(b.append("]}").toString());
    }, "tasks[0].id");
    heavy("long-chain", c -> {
      int n = Math.min(c.limits().maxTemplates(), 20_000);
      StringBuilder b = new StringBuilder("{\"tasks\":[{\"id\":\"c0\",\"fn\":\"util.sum\"}");
      for (int i = 1; i < n; i++) {
        b.append(",{\"id\":\"c").append(i).append("\",\"fn\":\"util.sum\",\"deps\":[\"c")
            .append(i - 1).append("\"]}");
      }
      return utf8(b.append("]}").toString());
    }, null);
    heavy("long-cycle", c -> {
      int n = Math.min(c.limits().maxTemplates(), 20_000);
      StringBuilder b = new StringBuilder("{\"tasks\":[");
      for (int i = 0; i < n; i++) {
        b.append(i == 0 ? "" : ",").append("{\"id\":\"c").append(i)
            .append("\",\"fn\":\"util.sum\",\"deps\":[\"c").append((i + 1) % n).append("\"]}");
      }
      return utf8(b.append("]}").toString());
    }, "tasks[0].deps[0]");
    heavy("whitespace-flood", c -> utf8(" ".repeat(500_000) + "{\"tasks\":[" + TASK + "]}"), null);
    heavy("escape-flood", c -> utf8("{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"params\":"
        + "{\"s\":\"" + "\\n".repeat(200_000) + "\"}}]}"), null);
  }

  static final int COUNT = ALL.size();

  private FuzzHostile() {}

  /** A random document; a heavy one only one time in twenty. */
  static int pick(SplittableRandom rnd) {
    int i = rnd.nextInt(COUNT);
    while (HEAVY.contains(i) && rnd.nextInt(20) != 0) {
      i = rnd.nextInt(COUNT);
    }
    return i;
  }

  static Doc make(int i, GraphLimits limits, JsonLimits json, SplittableRandom rnd) {
    return ALL.get(i).apply(new Ctx(limits, json, rnd));
  }

  private static void text(String kind, String doc, String where) {
    ALL.add(c -> new Doc(kind, utf8(doc), where));
  }

  private static void bytes(String kind, Function<Ctx, byte[]> doc, String where) {
    ALL.add(c -> new Doc(kind, doc.apply(c), where));
  }

  /** A document of megabytes or of many thousand entries: seldom picked after the first pass. */
  private static void heavy(String kind, Function<Ctx, byte[]> doc, String where) {
    HEAVY.add(ALL.size());
    bytes(kind, doc, where);
  }

  private static String sign(int d) {
    return d == 0 ? "-at" : d < 0 ? "-under" : "-over" + (d == 1 ? "" : "-by-" + d);
  }

  /** A task whose params nest to {@code depth} levels in all (the document's own 4 included). */
  private static byte[] nested(int depth, boolean arrays) {
    int inner = Math.max(0, depth - 4);
    String open = arrays ? "[" : "{\"n\":";
    String close = arrays ? "]" : "}";
    String v = open.repeat(Math.max(0, inner - 1)) + (inner > 0 ? (arrays ? "[]" : "{}") : "1")
        + close.repeat(Math.max(0, inner - 1));
    return utf8("{\"tasks\":[{\"id\":\"a\",\"fn\":\"util.sum\",\"params\":{\"n\":" + v + "}}]}");
  }

  private static byte[] templates(int n) {
    StringBuilder b = new StringBuilder(n * 32).append("{\"tasks\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append("{\"id\":\"t").append(i)
          .append("\",\"fn\":\"util.sum\"}");
    }
    return utf8(b.append("]}").toString());
  }

  private static byte[] deps(int n) {
    StringBuilder b = new StringBuilder("{\"tasks\":[{\"id\":\"p\",\"fn\":\"util.sum\",\"forEach\":"
        + "{\"param\":\"i\",\"range\":[0," + n + "]}},{\"id\":\"all\",\"fn\":\"util.sum\",\"deps\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append("\"p[").append(i).append("]\"");
    }
    return utf8(b.append("]}]}").toString());
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
