package com.calcgrid.graph;

import static com.calcgrid.graph.GraphAssertions.assertProblem;
import static com.calcgrid.graph.GraphAssertions.json;
import static com.calcgrid.graph.GraphAssertions.parseProblems;
import static com.calcgrid.graph.GraphAssertions.validateProblems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What one task would receive from its dependencies, checked before a graph is stored. */
class TaskInputsTest {

  /** 200 bytes that once took a node to 11.5 GB: each b would receive a million results. */
  static final String MILLION_FAN_IN = "{'tasks': ["
      + "{'id': 'a', 'fn': 't.noop', 'forEach': {'param': 'i', 'range': [0, 1000000]}},"
      + "{'id': 'b', 'fn': 't.noop', 'deps': ['a'], 'forEach': {'param': 'j', 'range': [0, 1000]}}]}";

  private static GraphSpec validate(String graph, GraphLimits limits) {
    return GraphValidator.parseAndValidate(json(graph), TestFunctions.REGISTRY, limits);
  }

  @Test
  void aTaskThatWouldReceiveAMillionResultsIsRefusedAsTooLarge() {
    InvalidGraphException e = assertThrows(InvalidGraphException.class,
        () -> validate(MILLION_FAN_IN, GraphLimits.DEFAULT));
    assertTrue(e.overLimit(), "well-formed, merely too large: 422");
    List<GraphProblem> problems = e.problems();
    assertEquals(1, problems.size(), problems.toString());
    assertProblem(problems, "tasks[1].deps", "each task of 'b'", "1000000 dependency results",
        "the limit is 200000", "calcgrid.limits.max-task-inputs", "CALCGRID_MAX_TASK_INPUTS");
  }

  @Test
  void fanInIsCountedAfterExpansionAcrossAllDeps() {
    String graph = "{'tasks': ["
        + "{'id': 'a', 'fn': 't.noop', 'forEach': {'param': 'i', 'range': [0, 6]}},"
        + "{'id': 'x', 'fn': 't.noop'},"
        + "{'id': 'b', 'fn': 't.noop', 'deps': ['a', 'x']},"
        + "{'id': 'c', 'fn': 't.noop', 'deps': ['a[0]', 'a[1]', 'x']}]}";
    GraphLimits seven = new GraphLimits(100, 100, 100, 7, 1 << 20, 1 << 20);
    validate(graph, seven);
    GraphLimits six = new GraphLimits(100, 100, 100, 6, 1 << 20, 1 << 20);
    List<GraphProblem> problems = validateProblems(graph, six);
    assertProblem(problems, "tasks[2].deps", "7 dependency results", "6 from 'a'",
        "the limit is 6");
    assertEquals(1, problems.size(), "c receives 3: " + problems);
  }

  @Test
  void declaredResultBoundsTimesFanInMustFitTheInputLimit() {
    String graph = "{'tasks': ["
        + "{'id': 'a', 'fn': 't.noop', 'maxResultBytes': %d,"
        + " 'forEach': {'param': 'i', 'range': [0, 1000]}},"
        + "{'id': 'b', 'fn': 't.noop', 'deps': ['a']}]}";
    // 1000 x 1024 bytes fit 3 MiB
    assertEquals(1024, validate(graph.formatted(1024), GraphLimits.DEFAULT).tasks().get(0)
        .maxResultBytes());
    List<GraphProblem> problems = validateProblems(graph.formatted(4096));
    assertProblem(problems, "tasks[1].deps", "each task of 'b'", "4096000 bytes",
        "the limit is 3145728", "calcgrid.limits.max-input-bytes", "CALCGRID_MAX_INPUT_BYTES");
  }

  @Test
  void withoutADeclaredBoundOnlyTheCountIsCheckedBeforeRunning() {
    validate("{'tasks': ["
        + "{'id': 'a', 'fn': 't.noop', 'forEach': {'param': 'i', 'range': [0, 150000]}},"
        + "{'id': 'k', 'fn': 't.noop', 'maxResultBytes': 1000000},"
        + "{'id': 'b', 'fn': 't.noop', 'deps': ['a', 'k']}]}", GraphLimits.DEFAULT);
  }

  @Test
  void aDeclaredBoundAboveTheNodesResultLimitIsRefused() {
    List<GraphProblem> problems = validateProblems("{'tasks': ["
        + "{'id': 'a', 'fn': 't.noop', 'maxResultBytes': 3000000}]}");
    assertProblem(problems, "tasks[0].maxResultBytes", "declares 3000000 bytes",
        "at most 2097152", "calcgrid.limits.max-result-bytes");
  }

  @Test
  void maxResultBytesMustBeAPositiveInteger() {
    List<GraphProblem> problems = parseProblems("{'tasks': ["
        + "{'id': 'a', 'fn': 't.noop', 'maxResultBytes': 0},"
        + "{'id': 'b', 'fn': 't.noop', 'maxResultBytes': '1k'}]}");
    assertProblem(problems, "tasks[0].maxResultBytes", "from 1 to");
    assertProblem(problems, "tasks[1].maxResultBytes", "must be an integer");
  }
}
