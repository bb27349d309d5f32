package com.calcgrid.graph;

import java.util.List;

/**
 * A graph was rejected before anything was stored; carries every problem found.
 * {@link #overLimit()} tells a well-formed graph that is merely too large for this node (the
 * API answers 422) from a malformed one (400).
 */
public final class InvalidGraphException extends RuntimeException {
  private final List<GraphProblem> problems;
  private final boolean overLimit;

  public InvalidGraphException(List<GraphProblem> problems) {
    this(problems, false);
  }

  /** @param overLimit true when every problem is a size limit of {@link GraphLimits} */
  public InvalidGraphException(List<GraphProblem> problems, boolean overLimit) {
    super(problems.isEmpty() ? "invalid graph" : problems.get(0).toString()
        + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
    this.problems = List.copyOf(problems);
    this.overLimit = overLimit && !problems.isEmpty();
  }

  public InvalidGraphException(String where, String message) {
    this(List.of(new GraphProblem(where, message)));
  }

  /** A graph that exceeds one of the {@link GraphLimits} and has nothing else wrong found yet. */
  static InvalidGraphException overLimit(String where, String message) {
    return new InvalidGraphException(List.of(new GraphProblem(where, message)), true);
  }

  public List<GraphProblem> problems() {
    return problems;
  }

  /**
   * True when the graph is well-formed but exceeds a size limit (templates, deps of one task,
   * tasks after expansion): it could run on a node with higher limits, or split in parts.
   */
  public boolean overLimit() {
    return overLimit;
  }
}
