package com.calcgrid.graph;

/**
 * Size limits checked before a graph is stored.
 *
 * @param maxTasks tasks after forEach expansion
 * @param maxTemplates entries in the {@code tasks} array
 * @param maxDepsPerTemplate entries in one task's {@code deps}
 */
public record GraphLimits(int maxTasks, int maxTemplates, int maxDepsPerTemplate) {
  public static final GraphLimits DEFAULT = new GraphLimits(2_000_000, 100_000, 10_000);
}
