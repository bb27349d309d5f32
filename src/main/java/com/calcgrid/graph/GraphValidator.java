package com.calcgrid.graph;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.FunctionRegistry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a parsed graph can run: ids are unique, every dep names a task that exists,
 * there are no cycles, every function exists and accepts its params, and the graph fits the
 * {@link GraphLimits}, including what one task would receive from its dependencies. All problems are reported at once in an {@link InvalidGraphException}.
 *
 * <p>Nothing is expanded: a template with a million-element range costs the same as a single
 * task, and memory grows with the number of templates and deps only.
 */
public final class GraphValidator {
  private static final int LIST_FUNCTIONS_BELOW = 50;
  private static final int MAX_CYCLES = 10;
  private static final int CYCLE_STEPS_SHOWN = 20;

  private GraphValidator() {}

  /** The single entry point for a posted graph: parse with default JSON limits, then validate. */
  public static GraphSpec parseAndValidate(
      byte[] json, FunctionRegistry functions, GraphLimits limits) {
    GraphSpec spec = GraphParser.parse(json);
    validate(spec, functions, limits);
    return spec;
  }

  /** Parses with {@code parser} (and so its JSON limits), then validates. */
  public static GraphSpec parseAndValidate(
      GraphParser parser, byte[] json, FunctionRegistry functions, GraphLimits limits) {
    GraphSpec spec = parser.read(json);
    validate(spec, functions, limits);
    return spec;
  }

  /**
   * Checks a parsed graph.
   *
   * @throws InvalidGraphException with every problem found (at most 100)
   */
  public static void validate(GraphSpec spec, FunctionRegistry functions, GraphLimits limits) {
    List<TaskTemplate> tasks = spec.tasks() == null ? List.of() : spec.tasks();
    if (tasks.isEmpty()) {
      throw new InvalidGraphException("tasks", "must contain at least one task");
    }
    if (tasks.size() > limits.maxTemplates()) {
      // Stop here: the other checks would spend time in proportion to an oversized graph.
      throw InvalidGraphException.overLimit("tasks", "has " + tasks.size()
          + " task templates; the limit is " + limits.maxTemplates());
    }
    Problems problems = new Problems();
    Map<String, Integer> ids = checkIds(tasks, problems);
    long[] counts = new long[tasks.size()];
    for (int t = 0; t < tasks.size(); t++) {
      counts[t] = countOf(tasks.get(t));
      checkTemplate(tasks.get(t), counts[t], "tasks[" + t + "]", functions, problems);
    }
    checkTaskCount(tasks, counts, limits, problems);
    DepEdges edges = DepEdges.resolve(tasks, ids, counts, limits, problems);
    TaskInputs.check(tasks, counts, edges, limits, problems);
    for (int[] cycle : CycleFinder.find(edges.target(), MAX_CYCLES)) {
      reportCycle(cycle, tasks, edges, problems);
    }
    problems.throwIfAny();
  }

  /**
   * How many tasks the graph expands to, computed without expanding it. Saturates at
   * {@link Long#MAX_VALUE} rather than overflowing.
   */
  public static long taskCount(GraphSpec spec) {
    long total = 0;
    for (TaskTemplate task : spec.tasks()) {
      total = saturatedAdd(total, countOf(task));
    }
    return total;
  }

  /** Expansions of one template in long arithmetic; {@link ForEach#count()} is an int. */
  static long countOf(TaskTemplate task) {
    ForEach forEach = task.forEach();
    if (forEach == null) {
      return 1;
    }
    if (forEach.values() != null) {
      return forEach.values().size();
    }
    if (forEach.start() == null || forEach.end() == null || forEach.end() <= forEach.start()) {
      return 0;
    }
    long span = forEach.end() - forEach.start();
    // end > start, so a negative difference can only mean the span overflowed.
    return span > 0 ? span : Long.MAX_VALUE;
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private static Map<String, Integer> checkIds(List<TaskTemplate> tasks, Problems problems) {
    Map<String, Integer> ids = new HashMap<>(tasks.size() * 2);
    for (int t = 0; t < tasks.size(); t++) {
      String id = tasks.get(t).id();
      String where = "tasks[" + t + "].id";
      if (!TaskRef.isValidId(id)) {
        problems.add(where, id == null ? "is required" : "invalid id " + Text.quote(id)
            + ": use 1 to 128 letters, digits, '_', '-', '.' or ':'");
        continue;
      }
      Integer first = ids.putIfAbsent(id, t);
      if (first != null) {
        problems.add(where, "duplicate id " + Text.quote(id) + "; tasks[" + first
            + "] already uses it");
      }
    }
    return ids;
  }

  private static void checkTemplate(TaskTemplate task, long count, String where,
      FunctionRegistry functions, Problems problems) {
    if (task.forEach() != null && count == 0) {
      problems.add(where + ".forEach", "expands to no tasks; give a non-empty range or values");
    }
    if (task.forEach() != null && task.forEach().param() == null) {
      problems.add(where + ".forEach.param", "is required");
    }
    if (task.fn() == null) {
      problems.add(where + ".fn", "is required");
      return;
    }
    CalcFunction fn = functions.find(task.fn()).orElse(null);
    if (fn == null && functions.isExternal(task.fn())) {
      return; // served outside the JVM: its params are the external worker's to check
    }
    if (fn == null) {
      problems.add(where + ".fn", unknownFunction(task.fn(), functions));
      return;
    }
    boolean hasFirst = count > 0 && (task.forEach() == null || task.forEach().param() != null);
    if (hasFirst) {
      checkParams(fn, paramsOfFirst(task), where + ".params", problems);
    }
  }

  /** The params of the template's first task: what a function sees, forEach param included. */
  private static ObjectNode paramsOfFirst(TaskTemplate task) {
    ObjectNode params = task.params() != null ? task.params()
        : JsonNodeFactory.instance.objectNode();
    if (task.forEach() == null) {
      return params;
    }
    ObjectNode copy = params.objectNode();
    copy.setAll(params);
    copy.set(task.forEach().param(), task.forEach().valueAt(0));
    return copy;
  }

  private static void checkParams(
      CalcFunction fn, ObjectNode params, String where, Problems problems) {
    try {
      fn.validate(params);
    } catch (IllegalArgumentException e) {
      problems.add(where, e.getMessage() != null ? e.getMessage()
          : "invalid params for " + Text.quote(fn.name()));
    } catch (RuntimeException e) {
      // A bug in a function's check must not become a 500 for the whole request.
      problems.add(where, "function " + Text.quote(fn.name()) + " failed to check its params: "
          + e);
    }
  }

  private static String unknownFunction(String name, FunctionRegistry functions) {
    StringBuilder message = new StringBuilder("unknown function ").append(Text.quote(name));
    String hint = Text.closest(name, functions.names());
    if (hint != null) {
      message.append("; did you mean '").append(hint).append("'?");
    }
    if (functions.names().isEmpty()) {
      message.append(" (no functions are installed)");
    } else if (functions.names().size() < LIST_FUNCTIONS_BELOW) {
      message.append(" (known: ").append(String.join(", ", functions.names())).append(')');
    }
    return message.toString();
  }

  private static void checkTaskCount(
      List<TaskTemplate> tasks, long[] counts, GraphLimits limits, Problems problems) {
    long total = 0;
    int largest = 0;
    for (int t = 0; t < counts.length; t++) {
      total = saturatedAdd(total, counts[t]);
      largest = counts[t] > counts[largest] ? t : largest;
    }
    if (total > limits.maxTasks()) {
      String count = total == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : "" + total;
      problems.addLimit("tasks", "the graph expands to " + count + " tasks; the limit is "
          + limits.maxTasks() + " (largest: tasks[" + largest + "] "
          + Text.quote(String.valueOf(tasks.get(largest).id())) + " with " + counts[largest]
          + ")");
    }
  }

  /** "dependency cycle: a -> b[3] -> c -> a", written with the deps as the author wrote them. */
  private static void reportCycle(
      int[] cycle, List<TaskTemplate> tasks, DepEdges edges, Problems problems) {
    StringBuilder message = new StringBuilder("dependency cycle: ")
        .append(tasks.get(cycle[0]).id());
    int firstPosition = -1;
    for (int k = 0; k < cycle.length; k++) {
      int position = positionOf(edges, cycle[k], cycle[(k + 1) % cycle.length]);
      firstPosition = k == 0 ? position : firstPosition;
      if (k < CYCLE_STEPS_SHOWN || k == cycle.length - 1) {
        message.append(" -> ").append(tasks.get(cycle[k]).deps().get(position));
      } else if (k == CYCLE_STEPS_SHOWN) {
        message.append(" -> ...");
      }
    }
    if (cycle.length > CYCLE_STEPS_SHOWN) {
      message.append(" (").append(cycle.length).append(" tasks on the cycle)");
    }
    problems.add("tasks[" + cycle[0] + "].deps[" + firstPosition + "]", message.toString());
  }

  private static int positionOf(DepEdges edges, int from, int to) {
    int[] targets = edges.target()[from];
    for (int i = 0; i < targets.length; i++) {
      if (targets[i] == to) {
        return edges.position()[from][i];
      }
    }
    throw new IllegalStateException("no edge from template " + from + " to " + to);
  }
}
