package com.calcgrid.graph;

import static com.calcgrid.graph.GraphAssertions.assertProblem;
import static com.calcgrid.graph.GraphAssertions.json;
import static com.calcgrid.graph.GraphAssertions.parseProblems;
import static com.calcgrid.graph.GraphAssertions.problems;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON itself and the type of every field. */
class GraphParserTest {

  @Test
  void malformedJsonNamesLineAndColumn() {
    String doc = "{\"tasks\": [\n  {\"id\": \"a\" \"fn\": \"t.noop\"}\n]}";
    List<GraphProblem> problems =
        problems(() -> GraphParser.parse(doc.getBytes(StandardCharsets.UTF_8)));
    assertEquals(1, problems.size());
    assertProblem(problems, "$", "malformed JSON", "line 2, column 14");
  }

  @Test
  void emptyAndNonObjectDocumentsAreRejected() {
    assertProblem(problems(() -> GraphParser.parse(new byte[0])), "$", "empty document");
    assertProblem(parseProblems("[1, 2]"), "$", "must be a JSON object", "[1,2]");
  }

  @Test
  void trailingContentIsMalformed() {
    assertProblem(parseProblems("{'tasks': [{'id': 'a', 'fn': 't.noop'}]} {}"), "$",
        "malformed JSON", "line 1");
  }

  @Test
  void duplicateKeyNamesTheKeyAndItsObject() {
    List<GraphProblem> problems = parseProblems(
        "{'tasks': [{'id': 'a', 'fn': 't.noop'}, {'id': 'b', 'fn': 't.noop', 'id': 'c'}]}");
    assertProblem(problems, "tasks[1]", "duplicate key 'id'", "line 1");
    assertProblem(parseProblems("{'name': 'x', 'name': 'y', 'tasks': []}"), "$",
        "duplicate key 'name'");
  }

  @Test
  void nestingDeeperThanTheLimitIsRejected() {
    String deep = "[".repeat(100) + "]".repeat(100);
    List<GraphProblem> problems = parseProblems(
        "{'tasks': [{'id': 'a', 'fn': 't.noop', 'params': {'p': " + deep + "}}]}");
    assertProblem(problems, "$", "size limit", "nesting");
  }

  @Test
  void numberAndStringLimitsComeFromJsonLimits() {
    String longNumber = "1".repeat(101);
    assertProblem(parseProblems("{'tasks': [{'id': 'a', 'fn': 't.noop', 'params': {'n': "
        + longNumber + "}}]}"), "$", "size limit");
    GraphParser strict = new GraphParser(new JsonLimits(64, 10, 100));
    List<GraphProblem> problems = problems(() -> strict.read(
        json("{'tasks': [{'id': 'a', 'fn': 't.noop', 'params': {'s': 'abcdefghijklmnop'}}]}")));
    assertProblem(problems, "$", "size limit", "String value length");
  }

  @Test
  void tasksAreRequiredAndNonEmpty() {
    assertProblem(parseProblems("{'name': 'x'}"), "tasks", "is required");
    assertProblem(parseProblems("{'tasks': []}"), "tasks", "at least one task");
    assertProblem(parseProblems("{'tasks': {'id': 'a'}}"), "tasks", "must be a non-empty array");
    assertProblem(parseProblems("{'tasks': [3]}"), "tasks[0]", "must be an object", "3");
  }

  @Test
  void unknownFieldsAreErrorsEverywhere() {
    List<GraphProblem> problems = parseProblems("{'nmae': 'x', 'defaults': {'timeout': 5},"
        + " 'tasks': [{'id': 'b', 'fn': 't.noop'},"
        + " {'id': 'a', 'fn': 't.noop', 'dep': ['b'], 'retry': {'attempts': 2},"
        + " 'forEach': {'param': 'i', 'range': [0, 2], 'step': 1}}]}");
    assertProblem(problems, "nmae", "unknown field 'nmae'", "did you mean 'name'");
    assertProblem(problems, "defaults.timeout", "unknown field 'timeout'", "timeoutMs");
    assertProblem(problems, "tasks[1].dep", "unknown field 'dep'", "did you mean 'deps'");
    assertProblem(problems, "tasks[1].retry.attempts", "unknown field 'attempts'", "maxAttempts");
    assertProblem(problems, "tasks[1].forEach.step", "unknown field 'step'");
    assertEquals(5, problems.size());
  }

  @Test
  void rangeMustBeTwoIntegersWithEndAfterStart() {
    String base = "{'tasks': [{'id': 'a', 'fn': 't.noop'}, {'id': 'b', 'fn': 't.noop'},"
        + " {'id': 'px', 'fn': 't.noop', 'forEach': {'param': 'i', 'range': %s}}]}";
    for (String bad : List.of("'0..10'", "[0]", "[0, 1.5]", "[0, 1, 2]", "[0, '10']")) {
      assertProblem(parseProblems(String.format(base, bad)), "tasks[2].forEach.range",
          "must be an array of two integers [start, end), got");
    }
    assertProblem(parseProblems(String.format(base, "'0..10'")), "tasks[2].forEach.range",
        "got string \"0..10\"");
    assertProblem(parseProblems(String.format(base, "[5, 5]")), "tasks[2].forEach.range",
        "end (5) must be greater than start (5)");
  }

  @Test
  void forEachNeedsExactlyOneSourceAndAParam() {
    String base = "{'tasks': [{'id': 'px', 'fn': 't.noop', 'params': {'k': 1},"
        + " 'forEach': %s}]}";
    assertProblem(parseProblems(String.format(base,
        "{'param': 'i', 'range': [0, 2], 'values': [1]}")), "tasks[0].forEach", "both");
    assertProblem(parseProblems(String.format(base, "{'param': 'i'}")), "tasks[0].forEach",
        "exactly one of 'range' or 'values'");
    assertProblem(parseProblems(String.format(base, "{'param': 'i', 'values': []}")),
        "tasks[0].forEach.values", "non-empty array");
    assertProblem(parseProblems(String.format(base, "{'range': [0, 2]}")),
        "tasks[0].forEach.param", "is required");
    assertProblem(parseProblems(String.format(base, "{'param': 'k', 'range': [0, 2]}")),
        "tasks[0].forEach.param", "'k'", "must not also be given in params");
    assertProblem(parseProblems(String.format(base, "[0, 2]")), "tasks[0].forEach",
        "must be an object");
  }

  @Test
  void idsAreCheckedForFormat() {
    assertProblem(parseProblems("{'tasks': [{'id': 'px[0]', 'fn': 't.noop'}]}"), "tasks[0].id",
        "invalid id 'px[0]'");
    assertProblem(parseProblems("{'tasks': [{'id': 'a b', 'fn': 't.noop'}]}"), "tasks[0].id",
        "invalid id 'a b'");
    assertProblem(parseProblems("{'tasks': [{'id': '" + "x".repeat(129) + "', 'fn': 't.noop'}]}"),
        "tasks[0].id", "1 to 128 characters");
    assertProblem(parseProblems("{'tasks': [{'fn': 't.noop'}]}"), "tasks[0].id", "is required");
    assertProblem(parseProblems("{'tasks': [{'id': 7, 'fn': 't.noop'}]}"), "tasks[0].id",
        "must be a string, got number 7");
  }

  @Test
  void fnParamsAndDepsHaveTypes() {
    List<GraphProblem> problems = parseProblems("{'tasks': [{'id': 'a', 'fn': ['x'],"
        + " 'params': [1], 'deps': 'b'}, {'id': 'b', 'deps': ['a', 3]}]}");
    assertProblem(problems, "tasks[0].fn", "must be a string");
    assertProblem(problems, "tasks[0].params", "must be an object, got [1]");
    assertProblem(problems, "tasks[0].deps", "must be an array of task ids, got string \"b\"");
    assertProblem(problems, "tasks[1].fn", "is required");
    assertProblem(problems, "tasks[1].deps[1]", "must be a task id string, got number 3");
    assertEquals(5, problems.size());
  }

  @Test
  void retryAndTimeoutAreRangeChecked() {
    List<GraphProblem> problems = parseProblems("{'defaults': {'timeoutMs': 0},"
        + " 'tasks': [{'id': 'a', 'fn': 't.noop', 'retry': {'maxAttempts': 101},"
        + " 'timeoutMs': 86400001},"
        + " {'id': 'b', 'fn': 't.noop', 'retry': {'maxAttempts': 0, 'backoffMs': -1}},"
        + " {'id': 'c', 'fn': 't.noop', 'retry': {'backoffMs': 500, 'maxBackoffMs': 100},"
        + " 'timeoutMs': 1.5},"
        + " {'id': 'd', 'fn': 't.noop', 'retry': 3}]}");
    assertProblem(problems, "defaults.timeoutMs", "from 1 to 86400000", "got number 0");
    assertProblem(problems, "tasks[0].retry.maxAttempts", "from 1 to 100", "101");
    assertProblem(problems, "tasks[0].timeoutMs", "86400001");
    assertProblem(problems, "tasks[1].retry.maxAttempts", "got number 0");
    assertProblem(problems, "tasks[1].retry.backoffMs", "from 0 to 3600000", "-1");
    assertProblem(problems, "tasks[2].retry.maxBackoffMs", "at least backoffMs (500)", "100");
    assertProblem(problems, "tasks[2].timeoutMs", "must be an integer", "1.5");
    assertProblem(problems, "tasks[3].retry", "must be an object, got number 3");
    assertEquals(8, problems.size());
  }

  @Test
  void estimatesAreRangeCheckedAndDefaulted() {
    List<GraphProblem> problems = parseProblems("{'defaults': {'estimateMs': -1},"
        + " 'tasks': [{'id': 'a', 'fn': 't.noop', 'estimateMs': 86400001},"
        + " {'id': 'b', 'fn': 't.noop', 'estimateMs': '5s'}]}");
    assertProblem(problems, "defaults.estimateMs", "from 0 to 86400000", "-1");
    assertProblem(problems, "tasks[0].estimateMs", "86400001");
    assertProblem(problems, "tasks[1].estimateMs", "must be an integer");
    assertEquals(3, problems.size());

    GraphSpec spec = GraphParser.parse(json("{'defaults': {'estimateMs': 40}, 'tasks': ["
        + "{'id': 'a', 'fn': 't.noop'}, {'id': 'b', 'fn': 't.noop', 'estimateMs': 7}]}"));
    assertEquals(40, spec.tasks().get(0).estimateMs());
    assertEquals(7, spec.tasks().get(1).estimateMs());
    assertEquals(0, GraphParser.parse(json("{'tasks': [{'id': 'a', 'fn': 't.noop'}]}"))
        .tasks().get(0).estimateMs(), "no estimate is 0, unknown");
  }

  @Test
  void nameIsAShortString() {
    assertProblem(parseProblems("{'name': 5, 'tasks': [{'id': 'a', 'fn': 't.noop'}]}"), "name",
        "must be a string");
    assertProblem(parseProblems("{'name': '" + "n".repeat(201) + "',"
        + " 'tasks': [{'id': 'a', 'fn': 't.noop'}]}"), "name", "1 to 200 characters, got 201");
  }

  @Test
  void problemsAreCappedAtOneHundred() {
    StringBuilder doc = new StringBuilder("{'tasks': [");
    for (int i = 0; i < 300; i++) {
      doc.append(i == 0 ? "" : ",").append("{'id': 'bad id', 'fn': 't.noop'}");
    }
    List<GraphProblem> problems = parseProblems(doc.append("]}").toString());
    assertEquals(Problems.MAX, problems.size());
    assertProblem(problems, "tasks[0].id", "invalid id");
    assertProblem(problems, "$", "201 more problems not shown");
  }

  @Test
  void priorityAndDeadlineAreReadAndCheckedWhereTheyStand() throws Exception {
    GraphSpec plain = GraphParser.parse(json("{'tasks': [{'id': 'a', 'fn': 't.noop'}]}"));
    assertEquals("batch", plain.priority());
    assertEquals(null, plain.deadline());
    GraphSpec urgent = GraphParser.parse(json("{'priority': 'interactive', 'deadline':"
        + " '2026-12-08T19:00:00+01:00', 'tasks': [{'id': 'a', 'fn': 't.noop'}]}"));
    assertEquals("interactive", urgent.priority());
    assertEquals(0, urgent.priorityRank());
    assertEquals("2026-12-08T18:00:00Z", urgent.deadline());
    assertProblem(parseProblems("{'priority': 'urgent', 'tasks': [{'id': 'a', 'fn': 't.noop'}]}"),
        "priority", "must be one of [interactive, batch]", "'urgent'");
    assertProblem(parseProblems("{'deadline': 'tonight', 'tasks': [{'id': 'a', 'fn': 't.noop'}]}"),
        "deadline", "ISO-8601 instant", "'tonight'");
  }
}
