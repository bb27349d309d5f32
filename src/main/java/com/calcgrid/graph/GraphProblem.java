package com.calcgrid.graph;

/**
 * One thing wrong with a posted graph.
 *
 * @param where a path into the posted document, e.g. {@code tasks[3].deps[0]} ({@code $} for the
 *     whole document)
 * @param message what is wrong, in words a graph author understands
 */
public record GraphProblem(String where, String message) {
  @Override
  public String toString() {
    return where + ": " + message;
  }
}
