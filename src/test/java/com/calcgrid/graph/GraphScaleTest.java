package com.calcgrid.graph;

import static com.calcgrid.graph.GraphAssertions.assertProblem;
import static com.calcgrid.graph.GraphAssertions.json;
import static com.calcgrid.graph.GraphAssertions.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Large graphs: nothing is expanded and nothing recurses. */
class GraphScaleTest {
  private static final int CHAIN = 100_000;

  @Test
  void aMillionExpansionsValidateWithoutExpanding() {
    GraphSpec spec = GraphValidator.parseAndValidate(json("{'tasks': ["
        + "{'id': 'px', 'fn': 't.needsX', 'forEach': {'param': 'x', 'range': [0, 1000000]}},"
        + "{'id': 'last', 'fn': 't.noop', 'deps': ['px[999999]']},"
        + "{'id': 'total', 'fn': 't.noop', 'deps': ['px', 'last']}]}"),
        // total receives a million results: over the default max-task-inputs, so raised here
        TestFunctions.REGISTRY, new GraphLimits(2_000_000, 100_000, 10_000, 2_000_000,
            Long.MAX_VALUE, GraphLimits.DEFAULT_MAX_RESULT_BYTES));
    assertEquals(1_000_000, spec.tasks().get(0).count());
    assertEquals(1_000_002, GraphValidator.taskCount(spec));
  }

  @Test
  void aChainOfOneHundredThousandTemplatesValidates() {
    GraphSpec spec = GraphValidator.parseAndValidate(chain(false), TestFunctions.REGISTRY,
        GraphLimits.DEFAULT);
    assertEquals(CHAIN, spec.tasks().size());
    assertEquals(List.of("t99998"), spec.tasks().get(CHAIN - 1).deps());
  }

  @Test
  void aCycleThroughOneHundredThousandTemplatesIsFoundAndShortened() {
    List<GraphProblem> found = problems(() -> GraphValidator.parseAndValidate(chain(true),
        TestFunctions.REGISTRY, GraphLimits.DEFAULT));
    GraphProblem cycle = assertProblem(found, "tasks[0].deps[0]",
        "dependency cycle: t0 -> t99999 -> t99998", "-> ... -> t0", "(100000 tasks on the cycle)");
    assertTrue(cycle.message().length() < 500, cycle.message());
    assertEquals(1, found.size());
  }

  @Test
  void manyUnknownDepsAreCappedAndStayCheap() {
    StringBuilder doc = new StringBuilder("{\"tasks\": [");
    for (int i = 0; i < CHAIN; i++) {
      doc.append(i == 0 ? "" : ",").append("{\"id\": \"t").append(i)
          .append("\", \"fn\": \"t.noop\", \"deps\": [\"nope").append(i).append("\"]}");
    }
    byte[] json = doc.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    List<GraphProblem> found = problems(() -> GraphValidator.parseAndValidate(json,
        TestFunctions.REGISTRY, GraphLimits.DEFAULT));
    assertEquals(Problems.MAX, found.size());
    assertProblem(found, "tasks[0].deps[0]", "unknown dependency 'nope0'");
    assertProblem(found, "$", "99901 more problems not shown");
  }

  /** t0 <- t1 <- ... <- t99999; closed into a cycle by making t0 depend on the last one. */
  private static byte[] chain(boolean closed) {
    StringBuilder doc = new StringBuilder(CHAIN * 50).append("{\"tasks\": [");
    for (int i = 0; i < CHAIN; i++) {
      doc.append(i == 0 ? "" : ",").append("{\"id\": \"t").append(i)
          .append("\", \"fn\": \"t.noop\"");
      if (i > 0 || closed) {
        doc.append(", \"deps\": [\"t").append(i > 0 ? i - 1 : CHAIN - 1).append("\"]");
      }
      doc.append('}');
    }
    return doc.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
