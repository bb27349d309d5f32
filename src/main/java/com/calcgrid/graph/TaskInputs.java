package com.calcgrid.graph;

import java.util.List;

/**
 * What one task of each template would receive, checked before anything is stored: how many
 * dependency results after expansion ({@code "px"} on a template of a million expansions is a
 * million), and, when every dependency declares {@code maxResultBytes}, how many bytes at most.
 * A hand-out is built in memory and sent in one message, so a graph that would overflow either
 * is refused here rather than failing, or worse, exhausting a node, at run time.
 */
final class TaskInputs {
  private TaskInputs() {}

  static void check(List<TaskTemplate> tasks, long[] counts, DepEdges edges, GraphLimits limits,
      Problems problems) {
    for (int t = 0; t < tasks.size(); t++) {
      TaskTemplate task = tasks.get(t);
      String where = "tasks[" + t + "]";
      if (task.maxResultBytes() > limits.maxResultBytes()) {
        problems.addLimit(where + ".maxResultBytes", "declares " + task.maxResultBytes()
            + " bytes; this node allows at most " + limits.maxResultBytes()
            + " bytes per result (calcgrid.limits.max-result-bytes, CALCGRID_MAX_RESULT_BYTES)");
      }
      checkOne(t, tasks, counts, edges, limits, problems);
    }
  }

  private static void checkOne(int t, List<TaskTemplate> tasks, long[] counts, DepEdges edges,
      GraphLimits limits, Problems problems) {
    int[] targets = edges.target()[t];
    if (targets.length == 0) {
      return;
    }
    TaskTemplate task = tasks.get(t);
    long inputs = 0;
    long bytes = 0;
    boolean bounded = true;
    int largest = -1;
    long largestCount = 0;
    for (int k = 0; k < targets.length; k++) {
      int d = targets[k];
      TaskRef ref = TaskRef.parse(task.deps().get(edges.position()[t][k]));
      long n = ref.all() ? counts[d] : 1;
      inputs = saturatedAdd(inputs, n);
      if (n > largestCount) {
        largest = d;
        largestCount = n;
      }
      long bound = tasks.get(d).maxResultBytes();
      bounded &= bound > 0;
      bytes = saturatedAdd(bytes, bound > 0 && n > Long.MAX_VALUE / bound ? Long.MAX_VALUE
          : n * bound);
    }
    String who = "each task of " + Text.quote(task.id());
    if (inputs > limits.maxTaskInputs()) {
      problems.addLimit("tasks[" + t + "].deps", who + " would receive " + inputs
          + " dependency results (" + largestCount + " from "
          + Text.quote(tasks.get(largest).id()) + "); the limit is " + limits.maxTaskInputs()
          + " per task (calcgrid.limits.max-task-inputs, CALCGRID_MAX_TASK_INPUTS): aggregate"
          + " in stages, e.g. partial sums over slices of the range");
    } else if (bounded && bytes > limits.maxInputBytes()) {
      problems.addLimit("tasks[" + t + "].deps", who + " could receive " + bytes
          + " bytes of dependency results (their declared maxResultBytes times " + inputs
          + " results); the limit is " + limits.maxInputBytes() + " bytes per task"
          + " (calcgrid.limits.max-input-bytes, CALCGRID_MAX_INPUT_BYTES)");
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }
}
