package com.calcgrid.graph;

import static com.calcgrid.graph.GraphAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A valid graph comes back as posted, with defaults filled in. */
class GraphRoundTripTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void fieldsAreAsPostedAndDefaultsApplied() throws Exception {
    GraphSpec spec = GraphValidator.parseAndValidate(json("{'name': 'eod', 'tasks': ["
        + "{'id': 'px', 'fn': 't.needsX', 'params': {'k': [1, {'z': true}]},"
        + " 'forEach': {'param': 'x', 'range': [10, 20]},"
        + " 'retry': {'maxAttempts': 3, 'backoffMs': 50, 'maxBackoffMs': 400},"
        + " 'timeoutMs': 30000},"
        + "{'id': 'trades', 'fn': 't.noop', 'forEach': {'param': 't', 'values': ['a', 'b']}},"
        + "{'id': 'total', 'fn': 't.noop', 'deps': ['px', 'trades[1]']}]}"),
        TestFunctions.REGISTRY, GraphLimits.DEFAULT);
    assertEquals("eod", spec.name());

    TaskTemplate px = spec.tasks().get(0);
    assertEquals("px", px.id());
    assertEquals("t.needsX", px.fn());
    assertEquals(MAPPER.readTree("{\"k\": [1, {\"z\": true}]}"), px.params());
    assertEquals(List.of(), px.deps());
    assertEquals(new ForEach("x", 10L, 20L, null), px.forEach());
    assertEquals(new RetryPolicy(3, 50, 400), px.retry());
    assertEquals(30_000, px.timeoutMs());
    assertEquals(10, px.count());

    TaskTemplate trades = spec.tasks().get(1);
    assertEquals(MAPPER.readTree("[\"a\", \"b\"]"), trades.forEach().values());
    assertEquals("b", trades.forEach().valueAt(1).textValue());

    TaskTemplate total = spec.tasks().get(2);
    assertEquals(List.of("px", "trades[1]"), total.deps());
    assertEquals(MAPPER.createObjectNode(), total.params());
    assertNull(total.forEach());
    assertEquals(RetryPolicy.DEFAULT, total.retry());
    assertEquals(600_000, total.timeoutMs());
  }

  @Test
  void graphDefaultsApplyToTasksWithoutTheirOwn() {
    GraphSpec spec = GraphParser.parse(json("{'defaults': {'retry': {'maxAttempts': 5,"
        + " 'backoffMs': 1000}, 'timeoutMs': 5000}, 'tasks': ["
        + "{'id': 'a', 'fn': 't.noop'},"
        + "{'id': 'b', 'fn': 't.noop', 'retry': {'maxAttempts': 2}, 'timeoutMs': 7}]}"));
    assertEquals("unnamed", spec.name());
    assertEquals(new RetryPolicy(5, 1000, 30_000), spec.tasks().get(0).retry());
    assertEquals(5000, spec.tasks().get(0).timeoutMs());
    // A task's own retry replaces the default object; its missing fields are built-in defaults.
    assertEquals(new RetryPolicy(2, 200, 30_000), spec.tasks().get(1).retry());
    assertEquals(7, spec.tasks().get(1).timeoutMs());
  }

  @Test
  void backoffDefaultsAdaptToTheOtherBound() {
    GraphSpec spec = GraphParser.parse(json("{'tasks': ["
        + "{'id': 'a', 'fn': 't.noop', 'retry': {'backoffMs': 60000}},"
        + "{'id': 'b', 'fn': 't.noop', 'retry': {'maxBackoffMs': 100}}]}"));
    assertEquals(new RetryPolicy(1, 60_000, 60_000), spec.tasks().get(0).retry());
    assertEquals(new RetryPolicy(1, 100, 100), spec.tasks().get(1).retry());
  }

  @Test
  void explicitNullMeansAbsent() {
    GraphSpec spec = GraphParser.parse(json("{'name': null, 'tasks': [{'id': 'a', 'fn': 't.noop',"
        + " 'params': null, 'deps': null, 'forEach': null, 'retry': null, 'timeoutMs': null}]}"));
    assertEquals("unnamed", spec.name());
    assertEquals(List.of(), spec.tasks().get(0).deps());
    assertNull(spec.tasks().get(0).forEach());
  }

  @Test
  void aTreeParsesLikeBytes() throws Exception {
    String doc = "{\"name\": \"t\", \"tasks\": [{\"id\": \"a\", \"fn\": \"t.noop\"}]}";
    assertEquals(GraphParser.parse(doc.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        GraphParser.parse(MAPPER.readTree(doc)));
  }
}
