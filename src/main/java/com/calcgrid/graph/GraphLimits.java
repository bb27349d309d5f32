package com.calcgrid.graph;

/**
 * Size limits checked before a graph is stored.
 *
 * @param maxTasks tasks after forEach expansion
 * @param maxTemplates entries in the {@code tasks} array
 * @param maxDepsPerTemplate entries in one task's {@code deps}
 * @param maxTaskInputs dependency results one task receives, after expansion: {@code "px"} with
 *     px expanding to a million counts a million (calcgrid.limits.max-task-inputs)
 * @param maxInputBytes bytes of dependency results one task may receive; checked at submission
 *     when every dependency declares {@code maxResultBytes}, and before each hand-out
 *     (calcgrid.limits.max-input-bytes)
 * @param maxResultBytes bytes of one task's result; a larger declared {@code maxResultBytes} is
 *     refused, a larger result fails its task (calcgrid.limits.max-result-bytes)
 */
public record GraphLimits(int maxTasks, int maxTemplates, int maxDepsPerTemplate,
    int maxTaskInputs, long maxInputBytes, long maxResultBytes) {
  public static final int DEFAULT_MAX_TASK_INPUTS = 200_000;
  public static final long DEFAULT_MAX_INPUT_BYTES = 3L << 20;
  public static final long DEFAULT_MAX_RESULT_BYTES = 2L << 20;

  public static final GraphLimits DEFAULT = new GraphLimits(2_000_000, 100_000, 10_000);

  /** Reads calcgrid.graph and calcgrid.limits. */
  public static GraphLimits fromConfig(com.typesafe.config.Config config) {
    com.typesafe.config.Config graph = config.getConfig("calcgrid.graph");
    com.typesafe.config.Config sizes = config.getConfig("calcgrid.limits");
    return new GraphLimits(graph.getInt("max-tasks"), graph.getInt("max-templates"),
        graph.getInt("max-deps-per-task"), sizes.getInt("max-task-inputs"),
        sizes.getBytes("max-input-bytes"), sizes.getBytes("max-result-bytes"));
  }

  /** Size limits with the default input and result limits. */
  public GraphLimits(int maxTasks, int maxTemplates, int maxDepsPerTemplate) {
    this(maxTasks, maxTemplates, maxDepsPerTemplate, DEFAULT_MAX_TASK_INPUTS,
        DEFAULT_MAX_INPUT_BYTES, DEFAULT_MAX_RESULT_BYTES);
  }
}
