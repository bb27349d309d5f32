package com.calcgrid.graph;

import static com.calcgrid.graph.GraphAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Which tasks the scheduler starts first: the most estimated work still ahead of them. */
class CompiledGraphPriorityTest {

  private static CompiledGraph compile(String singleQuoted) {
    return CompiledGraph.compile(GraphValidator.parseAndValidate(json(singleQuoted),
        TestFunctions.REGISTRY, GraphLimits.DEFAULT));
  }

  private static long priority(CompiledGraph g, String template) {
    return g.priority(g.templateOf(g.taskIndex(template)));
  }

  @Test
  void priorityIsTheEstimatedWorkOnTheLongestPathToASink() {
    // a -> b -> d and a -> c -> d, where c is the longer branch; e stands alone
    CompiledGraph g = compile("{'tasks': ["
        + "{'id': 'a', 'fn': 't.noop', 'estimateMs': 5},"
        + "{'id': 'b', 'fn': 't.noop', 'deps': ['a'], 'estimateMs': 10},"
        + "{'id': 'c', 'fn': 't.noop', 'deps': ['a'], 'estimateMs': 300},"
        + "{'id': 'd', 'fn': 't.noop', 'deps': ['b', 'c'], 'estimateMs': 20},"
        + "{'id': 'e', 'fn': 't.noop', 'estimateMs': 100}]}");
    assertEquals(20, priority(g, "d"));
    assertEquals(320, priority(g, "c"));
    assertEquals(30, priority(g, "b"));
    assertEquals(325, priority(g, "a"));
    assertEquals(100, priority(g, "e"));
  }

  @Test
  void withoutEstimatesTheLevelsStillToComeDecide() {
    CompiledGraph g = compile("{'tasks': ["
        + "{'id': 'root', 'fn': 't.noop'},"
        + "{'id': 'px', 'fn': 't.noop', 'deps': ['root'], 'forEach': {'param': 'i', 'range': [0, 4]}},"
        + "{'id': 'one', 'fn': 't.noop', 'deps': ['px[2]']},"
        + "{'id': 'sum', 'fn': 't.noop', 'deps': ['one']},"
        + "{'id': 'lonely', 'fn': 't.noop'}]}");
    assertEquals(4, priority(g, "root"));
    assertEquals(3, g.priority(g.templateOf(g.taskIndex("px[0]"))),
        "every expansion shares its template's priority");
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
    assertEquals(100_000, priority(g, "t0"));
    assertEquals(1, priority(g, "t99999"));
  }
}
