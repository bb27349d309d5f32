package com.calcgrid.schedule;

import com.calcgrid.graph.GraphProblem;
import java.util.List;

/**
 * A schedule's field that cannot be accepted: {@link #field()} names it for the client, and
 * {@link #problems()} lists what is wrong inside a graph.
 */
public final class InvalidScheduleException extends RuntimeException {
  private final String field;
  private final List<GraphProblem> problems;

  public InvalidScheduleException(String field, String message) {
    this(field, message, List.of());
  }

  public InvalidScheduleException(String field, String message, List<GraphProblem> problems) {
    super(field + ": " + message);
    this.field = field;
    this.problems = List.copyOf(problems);
  }

  public String field() {
    return field;
  }

  public List<GraphProblem> problems() {
    return problems;
  }
}
