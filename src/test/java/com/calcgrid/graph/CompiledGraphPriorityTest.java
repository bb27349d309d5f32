package com.calcgrid.graph;

import static com.calcgrid.graph.GraphAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Which tasks the scheduler starts first: a task's own estimate plus twice the estimated work on
 * the longest path below it.
 */
class CompiledGraphPriorityTest {

  private static CompiledGraph compile(String singleQuoted) {
    return CompiledGraph.compile(GraphValidator.parseAndValidate(json(singleQuoted),
        TestFunctions.REGISTRY, GraphLimits.DEFAULT));
  }

  private static long priority(CompiledGraph g, String template) {
    return g.priority(g.templateOf(g.taskIndex(template)));
  }

  @Test
  void priorityIsTheOwnEstimatePlusTwiceTheLongestPathBelow() {
    // a -> b -> d and a -> c -> d, where c is the longer branch; e stands alone
    CompiledGraph g = compile("{'tasks': ["
        + "{'id': 'a', 'fn': 't.noop', 'estimateMs': 5},"
        + "{'id': 'b', 'fn': 't.noop', 'deps': ['a'], 'estimateMs': 10},"
        + "{'id': 'c', 'fn': 't.noop', 'deps': ['a'], 'estimateMs': 300},"
        + "{'id': 'd', 'fn': 't.noop', 'deps': ['b', 'c'], 'estimateMs': 20},"
        + "{'id': 'e', 'fn': 't.noop', 'estimateMs': 100}]}");
    assertEquals(20, priority(g, "d"));
    assertEquals(300 + 2 * 20, priority(g, "c"));
    assertEquals(10 + 2 * 20, priority(g, "b"));
    assertEquals(5 + 2 * (300 + 20), priority(g, "a"), "below a: the path through c");
    assertEquals(100, priority(g, "e"));
  }

  @Test
  void aShortTaskThatLeadsToLongWorkGoesBeforeALongTaskWithNothingAfterIt() {
    // on x -> y, x's path is 100 ms and lone z's 105: z would go first by path length alone,
    // and y would then start last and end the job late
    CompiledGraph g = compile("{'tasks': ["
        + "{'id': 'x', 'fn': 't.noop', 'estimateMs': 10},"
        + "{'id': 'y', 'fn': 't.noop', 'deps': ['x'], 'estimateMs': 90},"
        + "{'id': 'z', 'fn': 't.noop', 'estimateMs': 105}]}");
    assertEquals(190, priority(g, "x"));
    assertEquals(105, priority(g, "z"));
  }

  @Test
  void withoutEstimatesTheLevelsStillToComeDecide() {
    CompiledGraph g = compile("{'tasks': ["
        + "{'id': 'root', 'fn': 't.noop'},"
        + "{'id': 'px', 'fn': 't.noop', 'deps': ['root'], 'forEach': {'param': 'i', 'range': [0, 4]}},"
        + "{'id': 'one', 'fn': 't.noop', 'deps': ['px[2]']},"
        + "{'id': 'sum', 'fn': 't.noop', 'deps': ['one']},"
        + "{'id': 'lonely', 'fn': 't.noop'}]}");
    // levels still to come, L, give 2L - 1: the same order as the levels themselves
    assertEquals(7, priority(g, "root"));
    assertEquals(5, g.priority(g.templateOf(g.taskIndex("px[0]"))),
        "every expansion shares its template's priority");
    assertEquals(3, priority(g, "one"));
    assertEquals(1, priority(g, "sum"));
    assertEquals(1, priority(g, "lonely"));
  }

  @Test
  void aLongChainIsRankedWithoutRecursion() {
    StringBuilder graph = new StringBuilder("{'tasks': [{'id': 't0', 'fn': 't.noop'}");
    for (int i = 1; i < 100_000; i++) {
      graph.append(",{'id': 't").append(i).append("', 'fn': 't.noop', 'deps': ['t")
          .append(i - 1).append("']}");
    }
    CompiledGraph g = compile(graph.append("]}").toString());
    assertEquals(2 * 100_000 - 1, priority(g, "t0"));
    assertEquals(1, priority(g, "t99999"));
  }
}
