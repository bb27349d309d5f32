package com.calcgrid.graph;

import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.FunctionRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a validated graph in the calling thread, template by template in dependency order, with
 * the real functions: enough to check what an example computes without starting a node.
 */
final class LocalGraphRun {
  private final GraphSpec spec;
  private final FunctionRegistry functions;
  private final Map<String, JsonNode> results = new LinkedHashMap<>();
  private int largestDeps;

  LocalGraphRun(GraphSpec spec, FunctionRegistry functions) {
    this.spec = spec;
    this.functions = functions;
  }

  /** Every task's result by task id, e.g. {@code reval-BOOK-0[3]}. */
  Map<String, JsonNode> run() throws Exception {
    Map<String, TaskTemplate> pending = new LinkedHashMap<>();
    spec.tasks().forEach(t -> pending.put(t.id(), t));
    while (!pending.isEmpty()) {
      TaskTemplate next = pending.values().stream()
          .filter(t -> t.deps().stream().noneMatch(d -> pending.containsKey(template(d))))
          .findFirst().orElseThrow(() -> new IllegalStateException("cycle"));
      runTemplate(next);
      pending.remove(next.id());
    }
    return results;
  }

  /** The largest total size, in bytes of JSON, of the dep results handed to one task. */
  int largestDepsBytes() {
    return largestDeps;
  }

  private void runTemplate(TaskTemplate t) throws Exception {
    Map<String, JsonNode> deps = new LinkedHashMap<>();
    for (String dep : t.deps()) {
      if (dep.endsWith("]") || results.containsKey(dep)) {
        deps.put(dep, results.get(dep));
      } else {
        results.forEach((id, r) -> {
          if (id.startsWith(dep + "[")) {
            deps.put(id, r);
          }
        });
      }
    }
    largestDeps = Math.max(largestDeps, deps.values().stream()
        .mapToInt(r -> r.toString().length()).sum());
    for (int i = 0; i < t.count(); i++) {
      ObjectNode params = t.params().deepCopy();
      String id = t.id();
      if (t.forEach() != null) {
        params.set(t.forEach().param(), t.forEach().valueAt(i));
        id = id + "[" + i + "]";
      }
      JsonNode out = functions.find(t.fn()).orElseThrow()
          .apply(new CalcInput(id, params, deps, 1));
      results.put(id, out);
    }
  }

  private static String template(String dep) {
    int bracket = dep.indexOf('[');
    return bracket < 0 ? dep : dep.substring(0, bracket);
  }
}
