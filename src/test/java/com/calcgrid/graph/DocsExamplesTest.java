package com.calcgrid.graph;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.CalcProvider;
import com.calcgrid.calc.FunctionRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The documentation's graphs stay valid: every example file and every JSON block of the docs. */
class DocsExamplesTest {
  private static final Path DOCS = Path.of(System.getProperty("user.dir"), "docs");
  private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * Stand-ins for the built-in functions the docs use, accepting any params: these tests check
   * the graphs' structure, the functions' own tests check their params.
   */
  private static final FunctionRegistry BUILT_IN_NAMES = FunctionRegistry.of(List.of(
      (CalcProvider) () -> Stream.of("util.sum", "util.sleep", "util.fail", "bs.price")
          .map(DocsExamplesTest::stub).toList()));

  @Test
  void everyExampleFileIsAValidGraph() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(DOCS.resolve("examples"))) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertTrue(files.size() >= 3, "examples found: " + files);
    for (Path file : files) {
      byte[] json = Files.readAllBytes(file);
      GraphSpec spec = assertDoesNotThrow(() -> GraphParser.parse(json), file.toString());
      assertDoesNotThrow(() -> GraphValidator.validate(spec, BUILT_IN_NAMES, GraphLimits.DEFAULT),
          file.toString());
    }
  }

  @Test
  void theDocumentedExamplesHaveTheDocumentedShape() throws IOException {
    GraphSpec fanOut = GraphParser.parse(Files.readAllBytes(DOCS.resolve("examples/fan-out.json")));
    assertEquals(1002, GraphValidator.taskCount(fanOut));
    GraphSpec hello = GraphParser.parse(Files.readAllBytes(DOCS.resolve("examples/hello.json")));
    assertEquals(4, GraphValidator.taskCount(hello));
    GraphSpec retry = GraphParser.parse(Files.readAllBytes(DOCS.resolve("examples/retry.json")));
    assertEquals(3, retry.tasks().get(0).retry().maxAttempts());
  }

  @Test
  void everyJsonBlockInTheFormatReferenceIsValid() throws IOException {
    String doc = Files.readString(DOCS.resolve("graph-format.md"));
    List<String> blocks = new ArrayList<>();
    for (Matcher m = JSON_BLOCK.matcher(doc); m.find(); ) {
      blocks.add(m.group(1));
    }
    assertFalse(blocks.isEmpty());
    for (String block : blocks) {
      JsonNode node = assertDoesNotThrow(() -> MAPPER.readTree(block), block);
      if (node.has("tasks")) {
        assertDoesNotThrow(() -> GraphValidator.parseAndValidate(
            block.getBytes(StandardCharsets.UTF_8), BUILT_IN_NAMES, GraphLimits.DEFAULT), block);
      }
    }
  }

  private static CalcFunction stub(String name) {
    return new CalcFunction() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public JsonNode apply(CalcInput input) {
        return NullNode.instance;
      }
    };
  }
}
