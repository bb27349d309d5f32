package com.calcgrid.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.calc.FunctionRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/examples/eod-risk.json computes what docs/examples/README.md says, in a few seconds. */
class EodRiskExampleTest {
  private static final Path FILE =
      Path.of(System.getProperty("user.dir"), "docs", "examples", "eod-risk.json");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void runsEndToEndWithSmallResults() throws Exception {
    FunctionRegistry functions = FunctionRegistry.load();
    GraphSpec spec = GraphValidator.parseAndValidate(Files.readAllBytes(FILE), functions,
        GraphLimits.DEFAULT);
    assertEquals(29, GraphValidator.taskCount(spec)); // 4 books x (5 batches + 2) + 1
    LocalGraphRun run = new LocalGraphRun(spec, functions);
    Map<String, JsonNode> results = run.run();

    JsonNode firmVar = results.get("firm-var");
    assertEquals(2000, firmVar.get("positions").intValue());
    assertEquals(250, firmVar.get("pnl").size());
    double bookVarSum = 0;
    double[] summed = new double[250];
    for (int k = 0; k < 4; k++) {
      JsonNode var = results.get("var-BOOK-" + k);
      assertEquals(500, var.get("positions").intValue());
      JsonNode pnl = results.get("pnl-BOOK-" + k);
      assertEquals(var.get("baseValue"), pnl.get("baseValue"));
      double[] book = decode(pnl.get("pnl").textValue());
      assertEquals(250, book.length);
      for (int j = 0; j < 250; j++) {
        summed[j] += book[j];
      }
      assertEquals(3, var.get("tail").intValue()); // ceil(250 * 0.01)
      assertTrue(var.get("expectedShortfall").doubleValue() >= var.get("var").doubleValue());
      bookVarSum += var.get("var").doubleValue();
    }
    for (int j = 0; j < 250; j++) {
      assertEquals(summed[j], firmVar.get("pnl").get(j).doubleValue(), 0, "scenario " + j);
    }
    assertTrue(firmVar.get("var").doubleValue() > 0, firmVar.toString());
    // diversification: the firm loses less in its 99% tail than the books added up
    assertTrue(firmVar.get("var").doubleValue() <= bookVarSum + 1e-6, firmVar.toString());

    // results travel in cluster messages of at most 256 KiB, several tasks' deps per message
    for (Map.Entry<String, JsonNode> r : results.entrySet()) {
      assertTrue(r.getValue().toString().length() < 16 * 1024, r.getKey());
    }
    assertTrue(run.largestDepsBytes() < 64 * 1024, "deps of one task: " + run.largestDepsBytes());
  }

  /**
   * The same graph with the levels the example does without (a risk.portfolio first, the books'
   * VaR after their risk.aggregate, a risk.aggregate for the firm, P&L as arrays of numbers)
   * gives the same figures to the last bit.
   */
  @Test
  void theLongerGraphWithEveryLevelGivesTheSameBits() throws Exception {
    FunctionRegistry functions = FunctionRegistry.load();
    ObjectNode graph = (ObjectNode) MAPPER.readTree(Files.readAllBytes(FILE));
    ArrayNode tasks = (ArrayNode) graph.get("tasks");
    ArrayNode longer = MAPPER.createArrayNode();
    ObjectNode first = (ObjectNode) tasks.get(0).get("params");
    longer.addObject().put("id", "portfolio").put("fn", "risk.portfolio").putObject("params")
        .setAll(Map.of("portfolio", first.get("portfolio"), "market", first.get("market")));
    for (JsonNode t : tasks) {
      String id = t.get("id").textValue();
      ObjectNode copy = t.deepCopy();
      ((ObjectNode) copy.get("params")).remove("pnlEncoding");
      if (id.startsWith("reval-")) {
        copy.putArray("deps").add("portfolio");
      } else if (id.startsWith("var-BOOK-")) {
        copy.putArray("deps").add(id.replace("var-", "pnl-"));
      } else if (id.equals("firm-var")) {
        longer.addObject().put("id", "firm-pnl").put("fn", "risk.aggregate")
            .set("deps", copy.get("deps"));
        copy.putArray("deps").add("firm-pnl");
      }
      longer.add(copy);
    }
    graph.set("tasks", longer);
    GraphSpec spec = GraphValidator.parseAndValidate(MAPPER.writeValueAsBytes(graph), functions,
        GraphLimits.DEFAULT);
    assertEquals(31, GraphValidator.taskCount(spec)); // 1 + 4 x (5 + 2) + 2
    Map<String, JsonNode> four = new LocalGraphRun(spec, functions).run();
    Map<String, JsonNode> example = new LocalGraphRun(GraphValidator.parseAndValidate(
        Files.readAllBytes(FILE), functions, GraphLimits.DEFAULT), functions).run();
    for (String id : new String[] {"var-BOOK-0", "var-BOOK-1", "var-BOOK-2", "var-BOOK-3",
        "firm-var"}) {
      for (String field : new String[] {"var", "expectedShortfall", "worst", "baseValue"}) {
        assertEquals(four.get(id).get(field).doubleValue(), example.get(id).get(field).doubleValue(),
            0, id + "." + field);
      }
    }
    assertEquals(four.get("firm-var").get("pnl"), example.get("firm-var").get("pnl"));
  }

  private static double[] decode(String base64) {
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64));
    double[] v = new double[bytes.remaining() / Double.BYTES];
    for (int j = 0; j < v.length; j++) {
      v[j] = bytes.getDouble();
    }
    return v;
  }
}
