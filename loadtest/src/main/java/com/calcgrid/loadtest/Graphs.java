package com.calcgrid.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** The graphs the benchmarks post, each with the same graph for the floor executor. */
final class Graphs {
  /** A graph as JSON for CalcGrid and as arrays for the floor. */
  record Workload(String name, String json, FloorGraph floor) {}

  private Graphs() {}

  /** One root, {@code items} expansions of {@code util.sum} that wait for it, one sink. */
  static Workload fanOut(int items) {
    String json = "{\"name\":\"fan-out-" + items + "\",\"tasks\":["
        + "{\"id\":\"root\",\"fn\":\"util.sum\",\"params\":{\"value\":0}},"
        + "{\"id\":\"item\",\"fn\":\"util.sum\",\"deps\":[\"root\"],"
        + "\"forEach\":{\"param\":\"value\",\"range\":[0," + items + "]}},"
        + "{\"id\":\"total\",\"fn\":\"util.sum\",\"params\":{\"value\":0},\"deps\":[\"item\"]}]}";
    return new Workload("fan-out " + items, json, FloorGraph.fanOut(items));
  }

  /** {@code steps} tasks of {@code util.sum}, each waiting for the one before: the result is steps. */
  static Workload chain(int steps) {
    StringBuilder b = new StringBuilder(steps * 64).append("{\"name\":\"chain-").append(steps)
        .append("\",\"tasks\":[");
    for (int i = 0; i < steps; i++) {
      b.append(i == 0 ? "" : ",").append("{\"id\":\"s").append(i)
          .append("\",\"fn\":\"util.sum\",\"params\":{\"value\":1}");
      if (i > 0) {
        b.append(",\"deps\":[\"s").append(i - 1).append("\"]");
      }
      b.append('}');
    }
    return new Workload("chain " + steps, b.append("]}").toString(), FloorGraph.chain(steps));
  }

  /** {@code n} independent tasks from one forEach range: a request of a hundred bytes. */
  static Workload range(int n) {
    String json = "{\"name\":\"range-" + n + "\",\"tasks\":[{\"id\":\"t\",\"fn\":\"util.sum\","
        + "\"forEach\":{\"param\":\"value\",\"range\":[0," + n + "]}}]}";
    return new Workload("range " + n, json, FloorGraph.range(n));
  }

  /**
   * A recorded WfCommons workflow (see shared/workloads/README.md) as a CalcGrid graph: each task
   * a {@code util.sleep} of its recorded run time times {@code scale}, with its recorded parents.
   */
  static Workload workflow(Path file, double scale) throws IOException {
    JsonNode doc = Client.JSON.readTree(file.toFile());
    JsonNode tasks = doc.get("tasks");
    int n = tasks.size();
    Map<String, Integer> index = new HashMap<>();
    String[] ids = new String[n];
    Set<String> used = new HashSet<>();
    for (int i = 0; i < n; i++) {
      String raw = tasks.get(i).get("id").asText();
      String id = raw.replaceAll("[^A-Za-z0-9_.:-]", "_");
      if (id.length() > 120) {
        id = id.substring(0, 110) + "_" + i;
      }
      while (!used.add(id)) {
        id = id + "_" + i;
      }
      ids[i] = id;
      index.put(raw, i);
    }
    long[] value = new long[n];
    int[] sleepMs = new int[n];
    int[][] parents = new int[n][];
    ObjectNode graph = Client.JSON.createObjectNode();
    graph.put("name", doc.get("name").asText());
    ArrayNode out = graph.putArray("tasks");
    for (int i = 0; i < n; i++) {
      JsonNode t = tasks.get(i);
      sleepMs[i] = (int) Math.round(t.get("runtimeSeconds").asDouble() * scale * 1000);
      JsonNode ps = t.get("parents");
      parents[i] = new int[ps.size()];
      ObjectNode task = out.addObject();
      task.put("id", ids[i]);
      task.put("fn", "util.sleep");
      task.putObject("params").put("ms", sleepMs[i]).put("value", 0);
      // the recorded run time, as a desk would pass last night's: orders the ready queue
      task.put("estimateMs", sleepMs[i]);
      if (ps.size() > 0) {
        ArrayNode deps = task.putArray("deps");
        for (int k = 0; k < ps.size(); k++) {
          int p = index.get(ps.get(k).asText());
          parents[i][k] = p;
          deps.add(ids[p]);
        }
      }
    }
    return new Workload(doc.get("name").asText(), Client.JSON.writeValueAsString(graph),
        new FloorGraph(value, sleepMs, parents));
  }

  /** Critical path and total work of a recorded workflow, in recorded seconds. */
  static double[] recordedBounds(Path file) throws IOException {
    JsonNode doc = Client.JSON.readTree(file.toFile());
    return new double[] {doc.get("criticalPathSeconds").asDouble(),
        doc.get("totalWorkSeconds").asDouble()};
  }
}
