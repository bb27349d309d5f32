package com.calcgrid.loadtest.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * The harness's jobs: seeded random DAGs and fan-outs of {@code util.sum}, whose every task's
 * result the harness works out itself (a task's value plus its dependencies' results), so a
 * result the cluster reports can be checked without trusting the cluster.
 */
final class Graphs {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A graph to submit and what each of its tasks must yield. */
  record Graph(String key, String json, Map<String, Long> expected) {}

  private Graphs() {}

  /** Job {@code index} of a run: every 5th a fan-out, the rest random DAGs of 60 tasks. */
  static Graph job(long seed, String runId, int index) {
    Random r = new Random(seed * 1_000_003L + index);
    String key = runId + "-" + index;
    return index % 5 == 4 ? fanOut(r, key, 40 + r.nextInt(60)) : dag(r, key, 60);
  }

  /**
   * {@code n} tasks; task i depends on one or two of the eight before it, so results grow at
   * most like Fibonacci numbers and stay exact in a double (under 2^53) for 60 tasks.
   */
  static Graph dag(Random r, String key, int n) {
    ObjectNode g = JSON.createObjectNode().put("name", key);
    ArrayNode tasks = g.putArray("tasks");
    Map<String, Long> expected = new LinkedHashMap<>();
    long[] result = new long[n];
    for (int i = 0; i < n; i++) {
      long value = r.nextInt(10);
      ObjectNode t = tasks.addObject().put("id", "t" + i).put("fn", "util.sum");
      t.putObject("params").put("value", value);
      long sum = value;
      if (i > 0) {
        TreeSet<Integer> deps = new TreeSet<>();
        int k = 1 + r.nextInt(2);
        while (deps.size() < Math.min(k, i)) {
          deps.add(Math.max(0, i - 1 - r.nextInt(8)));
        }
        ArrayNode d = t.putArray("deps");
        for (int dep : deps) {
          d.add("t" + dep);
          sum += result[dep];
        }
      }
      result[i] = sum;
      expected.put("t" + i, sum);
    }
    return new Graph(key, g.toString(), expected);
  }

  /** {@code width} expansions of one template, summed by one task. */
  static Graph fanOut(Random r, String key, int width) {
    ObjectNode g = JSON.createObjectNode().put("name", key);
    ArrayNode tasks = g.putArray("tasks");
    Map<String, Long> expected = new LinkedHashMap<>();
    ObjectNode px = tasks.addObject().put("id", "px").put("fn", "util.sum");
    px.putObject("params");
    ArrayNode values = px.putObject("forEach").put("param", "value").putArray("values");
    long sum = 0;
    for (int i = 0; i < width; i++) {
      long v = r.nextInt(1000);
      values.add(v);
      expected.put("px[" + i + "]", v);
      sum += v;
    }
    long base = r.nextInt(10);
    ObjectNode total = tasks.addObject().put("id", "total").put("fn", "util.sum");
    total.putObject("params").put("value", base);
    total.putArray("deps").add("px");
    expected.put("total", base + sum);
    return new Graph(key, g.toString(), expected);
  }
}
