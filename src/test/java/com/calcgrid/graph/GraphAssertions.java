package com.calcgrid.graph;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.function.Executable;

/** Helpers shared by the graph tests. */
final class GraphAssertions {
  private GraphAssertions() {}

  /** JSON written with single quotes, so tests stay readable. */
  static byte[] json(String singleQuoted) {
    return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  static List<GraphProblem> problems(Executable action) {
    return assertThrows(InvalidGraphException.class, action).problems();
  }

  static List<GraphProblem> parseProblems(String singleQuoted) {
    return problems(() -> GraphParser.parse(json(singleQuoted)));
  }

  static List<GraphProblem> validateProblems(String singleQuoted) {
    return validateProblems(singleQuoted, GraphLimits.DEFAULT);
  }

  static List<GraphProblem> validateProblems(String singleQuoted, GraphLimits limits) {
    GraphSpec spec = GraphParser.parse(json(singleQuoted));
    return problems(() -> GraphValidator.validate(spec, TestFunctions.REGISTRY, limits));
  }

  /** The problem at {@code where}, whose message contains every one of {@code parts}. */
  static GraphProblem assertProblem(List<GraphProblem> problems, String where, String... parts) {
    for (GraphProblem p : problems) {
      if (p.where().equals(where)) {
        for (String part : parts) {
          assertTrue(p.message().contains(part),
              () -> "message of " + where + " should contain <" + part + ">: " + p.message());
        }
        return p;
      }
    }
    return fail("no problem at " + where + " in " + problems);
  }
}
