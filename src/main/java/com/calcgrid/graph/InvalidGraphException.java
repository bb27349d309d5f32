package com.calcgrid.graph;

import java.util.List;

/** A graph was rejected before anything was stored; carries every problem found. */
public final class InvalidGraphException extends RuntimeException {
  private final List<GraphProblem> problems;

  public InvalidGraphException(List<GraphProblem> problems) {
    super(problems.isEmpty() ? "invalid graph" : problems.get(0).toString()
        + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
    this.problems = List.copyOf(problems);
  }

  public InvalidGraphException(String where, String message) {
    this(List.of(new GraphProblem(where, message)));
  }

  public List<GraphProblem> problems() {
    return problems;
  }
}
