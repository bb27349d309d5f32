package com.calcgrid.graph;

import static com.calcgrid.graph.GraphAssertions.assertProblem;
import static com.calcgrid.graph.GraphAssertions.validateProblems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link GraphLimits}: templates, deps per template, tasks after expansion. */
class GraphLimitsTest {

  @Test
  void tooManyTemplates() {
    List<GraphProblem> problems = validateProblems("{'tasks': [{'id': 'a', 'fn': 't.noop'},"
        + " {'id': 'b', 'fn': 't.noop'}, {'id': 'c', 'fn': 't.noop'}]}",
        new GraphLimits(100, 2, 10));
    assertProblem(problems, "tasks", "has 3 task templates", "the limit is 2");
    assertEquals(1, problems.size());
  }

  @Test
  void tooManyDepsOnOneTemplate() {
    List<GraphProblem> problems = validateProblems("{'tasks': [{'id': 'a', 'fn': 't.noop'},"
        + " {'id': 'b', 'fn': 't.noop'}, {'id': 'c', 'fn': 't.noop'},"
        + " {'id': 'd', 'fn': 't.noop', 'deps': ['a', 'b', 'c']}]}",
        new GraphLimits(100, 100, 2));
    assertProblem(problems, "tasks[3].deps", "has 3 dependencies", "the limit is 2");
  }

  @Test
  void tooManyTasksAfterExpansionNamesCountAndLimit() {
    List<GraphProblem> problems = validateProblems("{'tasks': ["
        + "{'id': 'px', 'fn': 't.noop', 'forEach': {'param': 'i', 'range': [0, 1500000]}},"
        + "{'id': 'py', 'fn': 't.noop', 'forEach': {'param': 'i', 'range': [0, 600000]}},"
        + "{'id': 'sum', 'fn': 't.noop', 'deps': ['px', 'py']}]}");
    assertProblem(problems, "tasks", "expands to 2100001 tasks", "the limit is 2000000",
        "'px' with 1500000");
  }

  @Test
  void hugeRangesDoNotOverflow() {
    List<GraphProblem> problems = validateProblems("{'tasks': ["
        + "{'id': 'px', 'fn': 't.noop', 'forEach': {'param': 'i',"
        + " 'range': [-9223372036854775808, 9223372036854775807]}},"
        + "{'id': 'py', 'fn': 't.noop', 'forEach': {'param': 'i',"
        + " 'range': [0, 9223372036854775807]}}]}");
    assertProblem(problems, "tasks", "more than 9223372036854775807 tasks", "limit is 2000000");
    assertEquals(1, problems.size());
  }

  /** The API answers 422 for graphs that are only too large, 400 for anything malformed. */
  @Test
  void onlyGraphsThatAreMerelyTooLargeAreOverLimit() {
    assertTrue(overLimit("{'tasks': [{'id': 'px', 'fn': 't.noop',"
        + " 'forEach': {'param': 'i', 'range': [0, 11]}}]}", new GraphLimits(10, 10, 10)));
    assertTrue(overLimit("{'tasks': [{'id': 'a', 'fn': 't.noop'}, {'id': 'b', 'fn': 't.noop'}]}",
        new GraphLimits(10, 1, 10)));
    assertTrue(overLimit("{'tasks': [{'id': 'a', 'fn': 't.noop'}, {'id': 'b', 'fn': 't.noop'},"
        + " {'id': 'c', 'fn': 't.noop', 'deps': ['a', 'b']}]}", new GraphLimits(10, 10, 1)));
    assertFalse(overLimit("{'tasks': [{'id': 'px', 'fn': 't.nope',"
        + " 'forEach': {'param': 'i', 'range': [0, 11]}}]}", new GraphLimits(10, 10, 10)));
    assertFalse(overLimit("{'tasks': [{'id': 'a', 'fn': 't.noop', 'deps': ['zz']}]}",
        GraphLimits.DEFAULT));
  }

  private static boolean overLimit(String graph, GraphLimits limits) {
    GraphSpec spec = GraphParser.parse(GraphAssertions.json(graph));
    return assertThrows(InvalidGraphException.class,
        () -> GraphValidator.validate(spec, TestFunctions.REGISTRY, limits)).overLimit();
  }
}
