package com.calcgrid.graph;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.calc.ExternalFunctions;
import com.calcgrid.calc.FunctionRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/**
 * The documentation's graphs stay valid: every example file and every JSON block of the docs,
 * checked against the real built-in functions, so their params are checked too.
 */
class DocsExamplesTest {
  private static final Path DOCS = Path.of(System.getProperty("user.dir"), "docs");
  private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** The built-in functions and, as a node has them by default, external functions py.*. */
  private static final FunctionRegistry BUILT_IN = FunctionRegistry.load()
      .withExternal(ExternalFunctions.parse("py.*"));

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
      assertDoesNotThrow(() -> GraphValidator.validate(spec, BUILT_IN, GraphLimits.DEFAULT),
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
    GraphSpec eod = GraphParser.parse(Files.readAllBytes(DOCS.resolve("examples/eod-risk.json")));
    assertEquals(29, GraphValidator.taskCount(eod));
    GraphSpec large =
        GraphParser.parse(Files.readAllBytes(DOCS.resolve("examples/eod-risk-large.json")));
    assertEquals(121, GraphValidator.taskCount(large));
  }

  @Test
  void everyJsonBlockInTheDocsIsValid() throws IOException {
    List<Path> docs;
    try (Stream<Path> list = Files.list(DOCS)) {
      docs = list.filter(p -> p.toString().endsWith(".md")).sorted().toList();
    }
    assertTrue(docs.contains(DOCS.resolve("graph-format.md")), docs.toString());
    assertTrue(docs.contains(DOCS.resolve("functions.md")), docs.toString());
    for (Path doc : docs) {
      List<String> blocks = new ArrayList<>();
      for (Matcher m = JSON_BLOCK.matcher(Files.readString(doc)); m.find(); ) {
        blocks.add(m.group(1));
      }
      if (doc.endsWith("graph-format.md") || doc.endsWith("functions.md")) {
        assertFalse(blocks.isEmpty(), doc.toString());
      }
      for (String block : blocks) {
        JsonNode node = assertDoesNotThrow(() -> MAPPER.readTree(block), doc + ": " + block);
        if (node.has("tasks")) {
          assertDoesNotThrow(() -> GraphValidator.parseAndValidate(
              block.getBytes(StandardCharsets.UTF_8), BUILT_IN, GraphLimits.DEFAULT),
              doc + ": " + block);
        }
      }
    }
  }
}
