package com.calcgrid.graph;

import static com.calcgrid.graph.GraphAssertions.assertProblem;
import static com.calcgrid.graph.GraphAssertions.json;
import static com.calcgrid.graph.GraphAssertions.validateProblems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Ids, deps and functions fitting together. */
class GraphValidatorTest {

  @Test
  void aValidGraphPasses() {
    GraphSpec spec = GraphValidator.parseAndValidate(json("{'tasks': ["
        + "{'id': 'px', 'fn': 't.needsX', 'forEach': {'param': 'x', 'range': [0, 10]}},"
        + "{'id': 'one', 'fn': 't.noop', 'deps': ['px[9]']},"
        + "{'id': 'all', 'fn': 't.needsX', 'params': {'x': 1}, 'deps': ['px', 'one']}]}"),
        TestFunctions.REGISTRY, GraphLimits.DEFAULT);
    assertEquals(3, spec.tasks().size());
    assertEquals(12, GraphValidator.taskCount(spec));
  }

  @Test
  void duplicateIdPointsAtTheSecondAndNamesTheFirst() {
    List<GraphProblem> problems = validateProblems("{'tasks': [{'id': 'a', 'fn': 't.noop'},"
        + " {'id': 'b', 'fn': 't.noop'}, {'id': 'a', 'fn': 't.noop'}]}");
    assertProblem(problems, "tasks[2].id", "duplicate id 'a'", "tasks[0]");
    assertEquals(1, problems.size());
  }

  @Test
  void unknownDependencyIsNamedWithASuggestion() {
    List<GraphProblem> problems = validateProblems("{'tasks': [{'id': 'price', 'fn': 't.noop'},"
        + " {'id': 'b', 'fn': 't.noop', 'deps': ['foo', 'prices']}]}");
    GraphProblem foo = assertProblem(problems, "tasks[1].deps[0]", "unknown dependency 'foo'");
    assertEquals("unknown dependency 'foo'", foo.message());
    assertProblem(problems, "tasks[1].deps[1]", "unknown dependency 'prices'",
        "did you mean 'price'?");
  }

  @Test
  void expansionIndexMustBeInRangeAndOnAForEachTask() {
    List<GraphProblem> problems = validateProblems("{'tasks': ["
        + "{'id': 'px', 'fn': 't.noop', 'forEach': {'param': 'i', 'values': [1, 2, 3, 4, 5]}},"
        + "{'id': 'x', 'fn': 't.noop'},"
        + "{'id': 'c', 'fn': 't.noop', 'deps': ['px[5]', 'x[0]', 'px[4]']}]}");
    assertProblem(problems, "tasks[2].deps[0]", "'px[5]' is out of range", "5 expansions",
        "[0] to [4]");
    assertProblem(problems, "tasks[2].deps[1]", "'x' has no forEach", "refer to it as 'x'");
    assertEquals(2, problems.size());
  }

  @Test
  void malformedDependencyIsRejected() {
    List<GraphProblem> problems = validateProblems("{'tasks': [{'id': 'px', 'fn': 't.noop',"
        + " 'forEach': {'param': 'i', 'range': [0, 20]}},"
        + " {'id': 'c', 'fn': 't.noop', 'deps': ['px[01]', 'px[-1]', 'px[', 'p x', '']}]}");
    for (int j = 0; j < 5; j++) {
      assertProblem(problems, "tasks[1].deps[" + j + "]", "invalid dependency");
    }
    assertProblem(problems, "tasks[1].deps[0]", "'px[01]'");
  }

  @Test
  void selfDependencyIsRejected() {
    List<GraphProblem> problems = validateProblems("{'tasks': [{'id': 'a', 'fn': 't.noop',"
        + " 'deps': ['a']}, {'id': 'px', 'fn': 't.noop', 'deps': ['px[1]'],"
        + " 'forEach': {'param': 'i', 'range': [0, 3]}}]}");
    assertProblem(problems, "tasks[0].deps[0]", "task 'a' depends on itself");
    assertProblem(problems, "tasks[1].deps[0]", "task 'px' depends on itself");
  }

  @Test
  void repeatedOrRedundantDependenciesAreRejected() {
    List<GraphProblem> problems = validateProblems("{'tasks': [{'id': 'a', 'fn': 't.noop'},"
        + " {'id': 'px', 'fn': 't.noop', 'forEach': {'param': 'i', 'range': [0, 3]}},"
        + " {'id': 'c', 'fn': 't.noop', 'deps': ['a', 'px[1]', 'a', 'px']}]}");
    assertProblem(problems, "tasks[2].deps[2]", "duplicate dependency 'a'", "deps[0]");
    assertProblem(problems, "tasks[2].deps[1]", "'px[1]' is already covered by 'px'", "deps[3]");
    assertEquals(2, problems.size());
  }

  @Test
  void cycleIsNamedInOrder() {
    List<GraphProblem> problems = validateProblems("{'tasks': ["
        + "{'id': 'start', 'fn': 't.noop'},"
        + "{'id': 'a', 'fn': 't.noop', 'deps': ['start', 'b']},"
        + "{'id': 'b', 'fn': 't.noop', 'deps': ['c']},"
        + "{'id': 'c', 'fn': 't.noop', 'deps': ['a']},"
        + "{'id': 'tail', 'fn': 't.noop', 'deps': ['c']}]}");
    GraphProblem cycle = assertProblem(problems, "tasks[1].deps[1]");
    assertEquals("dependency cycle: a -> b -> c -> a", cycle.message());
    assertEquals(1, problems.size());
  }

  @Test
  void cycleThroughOneExpansionUsesTheDepsAsWritten() {
    List<GraphProblem> problems = validateProblems("{'tasks': ["
        + "{'id': 'px', 'fn': 't.noop', 'deps': ['sum'],"
        + " 'forEach': {'param': 'i', 'range': [0, 4]}},"
        + "{'id': 'sum', 'fn': 't.noop', 'deps': ['px[2]']}]}");
    assertProblem(problems, "tasks[0].deps[0]", "dependency cycle: px -> sum -> px[2]");
  }

  @Test
  void separateCyclesAreEachReported() {
    List<GraphProblem> problems = validateProblems("{'tasks': ["
        + "{'id': 'a', 'fn': 't.noop', 'deps': ['b']}, {'id': 'b', 'fn': 't.noop', 'deps': ['a']},"
        + "{'id': 'c', 'fn': 't.noop', 'deps': ['d']}, {'id': 'd', 'fn': 't.noop', 'deps': ['c']}"
        + "]}");
    assertProblem(problems, "tasks[0].deps[0]", "dependency cycle: a -> b -> a");
    assertProblem(problems, "tasks[2].deps[0]", "dependency cycle: c -> d -> c");
  }

  @Test
  void unknownFunctionSuggestsAndListsKnownNames() {
    List<GraphProblem> problems =
        validateProblems("{'tasks': [{'id': 'a', 'fn': 't.noopp'}]}");
    assertProblem(problems, "tasks[0].fn", "unknown function 't.noopp'",
        "did you mean 't.noop'?", "known: t.needsX, t.noop");
  }

  @Test
  void paramsAreCheckedByTheFunction() {
    List<GraphProblem> problems = validateProblems("{'tasks': ["
        + "{'id': 'a', 'fn': 't.needsX', 'params': {'x': 'one'}},"
        + "{'id': 'b', 'fn': 't.needsX', 'forEach': {'param': 'x', 'range': [3, 5]}},"
        + "{'id': 'c', 'fn': 't.needsX', 'forEach': {'param': 'x', 'values': ['v', 2]}}]}");
    assertProblem(problems, "tasks[0].params", "param 'x' must be a number");
    // b gets x from its range, c's first value is not a number
    assertProblem(problems, "tasks[2].params", "param 'x' must be a number", "\"v\"");
    assertEquals(2, problems.size());
  }

  @Test
  void everyKindOfProblemIsReportedTogether() {
    List<GraphProblem> problems = validateProblems("{'tasks': [{'id': 'a', 'fn': 'nope'},"
        + " {'id': 'a', 'fn': 't.noop', 'deps': ['zzz']}]}");
    assertProblem(problems, "tasks[0].fn", "unknown function 'nope'");
    assertProblem(problems, "tasks[1].id", "duplicate id 'a'");
    assertProblem(problems, "tasks[1].deps[0]", "unknown dependency 'zzz'");
    assertEquals(3, problems.size());
  }

  @Test
  void emptyRangeBuiltInCodeIsRejected() {
    TaskTemplate empty = new TaskTemplate("px", "t.noop",
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), List.of(),
        new ForEach("i", 5L, 5L, null), RetryPolicy.DEFAULT, 1000);
    List<GraphProblem> problems = GraphAssertions.problems(() -> GraphValidator.validate(
        new GraphSpec("g", List.of(empty)), TestFunctions.REGISTRY, GraphLimits.DEFAULT));
    assertProblem(problems, "tasks[0].forEach", "expands to no tasks");
    assertFalse(problems.isEmpty());
  }
}
