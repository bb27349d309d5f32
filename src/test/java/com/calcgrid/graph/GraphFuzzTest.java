package com.calcgrid.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.testing.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the graph parser and validator in process with {@link FuzzInputs}: every document is
 * either a graph that compiles and can be journaled, or an {@link InvalidGraphException} whose
 * problems say where; nothing else is ever thrown and no document takes long.
 *
 * <p>{@code -Dcalcgrid.fuzz.inputs=100000} runs more, {@code -Dcalcgrid.fuzz.seed=N} another
 * sequence, {@code -Dcalcgrid.fuzz.from=I} starts at input I (a failure prints all three).
 */
class GraphFuzzTest {
  static final long DEFAULT_SEED = 20_261_202L;

  static long seed() {
    return Long.getLong("calcgrid.fuzz.seed", DEFAULT_SEED);
  }

  @Test
  void everyDocumentIsAGraphOrARefusalThatSaysWhere() {
    long inputs = Long.getLong("calcgrid.fuzz.inputs", 3_000);
    long from = Long.getLong("calcgrid.fuzz.from", 0);
    Duration bound = Duration.ofMillis(Long.getLong("calcgrid.fuzz.max-ms", 10_000));
    FuzzInputs gen = FuzzInputs.of(seed(),
        FuzzInputs.jsonFiles(TestNodes.projectFile("docs/examples")), GraphLimits.DEFAULT,
        JsonLimits.DEFAULT);
    FuzzCheck check = new FuzzCheck(JsonLimits.DEFAULT, GraphLimits.DEFAULT,
        FunctionRegistry.load());
    // the watchdog prints a stuck input; this only ends the test
    FuzzCheck.Stats stats = assertTimeoutPreemptively(Duration.ofMinutes(10),
        () -> check.run(gen, from, inputs, bound));
    System.out.println("GraphFuzzTest seed " + gen.seed() + ": " + stats.summary());
    assertTrue(stats.violations().isEmpty(), () -> stats.violations().size()
        + " documents broke a property (first " + stats.violations().size() + " shown):\n"
        + stats.violations().stream().map(FuzzCheck.Violation::toString)
            .collect(Collectors.joining("\n\n")));
    if (inputs >= 1_000 && from == 0) {
      // the run fuzzed both sides of the line, not only one
      assertTrue(stats.accepted() > inputs / 50, stats.summary());
      assertTrue(stats.invalid() > inputs / 2, stats.summary());
      assertTrue(stats.tooLarge() > 0, stats.summary());
    }
  }

  @Test
  void theSameSeedGivesTheSameDocuments() {
    List<java.nio.file.Path> files = FuzzInputs.jsonFiles(TestNodes.projectFile("docs/examples"));
    FuzzInputs a = FuzzInputs.of(7, files, GraphLimits.DEFAULT, JsonLimits.DEFAULT);
    FuzzInputs b = FuzzInputs.of(7, files, GraphLimits.DEFAULT, JsonLimits.DEFAULT);
    for (long i = 0; i < 300; i += 7) {
      assertEquals(a.next(i).shown(100_000), b.next(i).shown(100_000), "input " + i);
    }
    assertEquals(7, files.size(), "docs/examples: " + files);
  }

  /** The mix reaches every kind of mutation, so a short run in CI still covers them all. */
  @Test
  void aShortRunCoversEveryMutation() {
    FuzzInputs gen = FuzzInputs.of(seed(),
        FuzzInputs.jsonFiles(TestNodes.projectFile("docs/examples")), GraphLimits.DEFAULT,
        JsonLimits.DEFAULT);
    Map<String, Integer> kinds = new TreeMap<>();
    for (long i = 0; i < 3_000; i++) {
      String kind = gen.next(i).kind();
      for (String part : kind.replaceFirst("^[a-z]+:", "").split("[+,]")) {
        kinds.merge(kind.substring(0, kind.indexOf(':') + 1) + part.replaceAll("-\\d+$", ""), 1,
            Integer::sum);
      }
    }
    List<String> expected = new ArrayList<>(List.of("valid", "tree:wrong-type",
        "tree:below-range", "tree:above-range", "tree:huge-integer", "tree:remove",
        "tree:forEach-range-over-limit", "tree:forEach-range-overflow", "tree:self-dep",
        "tree:unknown-dep", "tree:malformed-dep", "tree:cycle", "tree:deps-over-limit",
        "tree:params-odd", "tree:params-not-object", "tree:unknown-field", "tree:odd-id",
        "tree:odd-name", "tree:unpaired-surrogate", "tree:root", "bytes:truncate", "bytes:bom",
        "bytes:token", "bytes:bad-utf8", "bytes:duplicate-key", "bytes:concat",
        "hostile:nesting-limit-over-by", "hostile:templates-over"));
    expected.removeIf(k -> kinds.keySet().stream().anyMatch(s -> s.startsWith(k)));
    assertTrue(expected.isEmpty(), "never generated: " + expected + "; generated: " + kinds);
  }
}
