package com.calcgrid.graph;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The valid dependencies of each template, resolved to template indices. Deps that are wrong
 * are reported and left out, so cycle detection still runs on the rest.
 *
 * @param target for template t, the templates it depends on
 * @param position for template t, the index in its {@code deps} list of each target
 */
record DepEdges(int[][] target, int[][] position) {
  private static final int[] NONE = new int[0];

  static DepEdges resolve(List<TaskTemplate> tasks, Map<String, Integer> ids, long[] counts,
      GraphLimits limits, Problems problems) {
    int n = tasks.size();
    int[][] target = new int[n][];
    int[][] position = new int[n][];
    for (int t = 0; t < n; t++) {
      List<String> deps = tasks.get(t).deps() == null ? List.of() : tasks.get(t).deps();
      if (deps.size() > limits.maxDepsPerTemplate()) {
        problems.addLimit("tasks[" + t + "].deps", "has " + deps.size()
            + " dependencies; the limit is " + limits.maxDepsPerTemplate());
        target[t] = NONE;
        position[t] = NONE;
        continue;
      }
      resolveOne(t, tasks, ids, counts, problems, target, position);
    }
    return new DepEdges(target, position);
  }

  private static void resolveOne(int t, List<TaskTemplate> tasks, Map<String, Integer> ids,
      long[] counts, Problems problems, int[][] target, int[][] position) {
    TaskTemplate task = tasks.get(t);
    List<String> deps = task.deps() == null ? List.of() : task.deps();
    int[] resolved = new int[deps.size()];
    TaskRef[] refs = new TaskRef[deps.size()];
    Map<String, Integer> seen = new HashMap<>();
    Map<Integer, Integer> wholeAt = new HashMap<>();
    for (int j = 0; j < deps.size(); j++) {
      String dep = deps.get(j);
      String where = "tasks[" + t + "].deps[" + j + "]";
      resolved[j] = -1;
      TaskRef ref = TaskRef.parse(dep);
      Integer d = ref == null ? null : ids.get(ref.template());
      Integer first = dep == null ? null : seen.putIfAbsent(dep, j);
      if (ref == null) {
        problems.add(where, "invalid dependency " + (dep == null ? "null" : Text.quote(dep))
            + ": write a task id ('px') or one expansion of it ('px[3]')");
      } else if (d == null) {
        String hint = problems.full() ? null : Text.closest(ref.template(), ids.keySet());
        problems.add(where, "unknown dependency " + Text.quote(dep)
            + (hint != null ? "; did you mean '" + hint + "'?" : ""));
      } else if (d == t) {
        problems.add(where, "task " + Text.quote(task.id()) + " depends on itself");
      } else if (!ref.all() && tasks.get(d).forEach() == null) {
        problems.add(where, Text.quote(ref.template()) + " has no forEach, so it has no "
            + "expansions; refer to it as " + Text.quote(ref.template()));
      } else if (!ref.all() && ref.index() >= counts[d]) {
        problems.add(where, Text.quote(dep) + " is out of range: " + Text.quote(ref.template())
            + " has " + counts[d] + " expansions, [0] to [" + (counts[d] - 1) + "]");
      } else if (first != null) {
        problems.add(where, "duplicate dependency " + Text.quote(dep) + " (also deps[" + first
            + "])");
      } else {
        resolved[j] = d;
        refs[j] = ref;
        if (ref.all()) {
          wholeAt.put(d, j);
        }
      }
    }
    int[] targets = new int[deps.size()];
    int[] positions = new int[deps.size()];
    int k = 0;
    for (int j = 0; j < deps.size(); j++) {
      if (resolved[j] < 0) {
        continue;
      }
      Integer whole = wholeAt.get(resolved[j]);
      if (!refs[j].all() && whole != null) {
        // Waiting for one expansion and for all of them is the same wait, twice.
        problems.add("tasks[" + t + "].deps[" + j + "]", Text.quote(deps.get(j))
            + " is already covered by " + Text.quote(deps.get(whole)) + " (deps[" + whole + "])");
        continue;
      }
      targets[k] = resolved[j];
      positions[k++] = j;
    }
    target[t] = k == targets.length ? targets : Arrays.copyOf(targets, k);
    position[t] = k == positions.length ? positions : Arrays.copyOf(positions, k);
  }
}
