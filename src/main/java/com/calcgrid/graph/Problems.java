package com.calcgrid.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the problems of one graph. A badly broken graph could produce one problem per task,
 * so the list is capped: an author fixes the first hundred and posts again, and the error
 * response stays small.
 */
final class Problems {
  static final int MAX = 100;

  private final List<GraphProblem> list = new ArrayList<>();
  private int dropped;
  private int limits;

  /** A graph that exceeds a {@link GraphLimits} size limit but may otherwise be fine. */
  void addLimit(String where, String message) {
    limits++;
    add(where, message);
  }

  void add(String where, String message) {
    if (list.size() < MAX) {
      list.add(new GraphProblem(where, message));
    } else {
      dropped++;
    }
  }

  /** Nothing more will be shown, so optional work such as suggestions can be skipped. */
  boolean full() {
    return list.size() >= MAX;
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  void throwIfAny() {
    if (list.isEmpty()) {
      return;
    }
    List<GraphProblem> out = new ArrayList<>(list);
    if (dropped > 0) {
      out.set(MAX - 1, new GraphProblem("$", (dropped + 1) + " more problems not shown"));
    }
    throw new InvalidGraphException(out, limits == list.size() + dropped);
  }
}
