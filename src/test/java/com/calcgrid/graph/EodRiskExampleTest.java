package com.calcgrid.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.calc.FunctionRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docs/examples/eod-risk.json computes what docs/examples/README.md says, in a few seconds. */
class EodRiskExampleTest {
  private static final Path FILE =
      Path.of(System.getProperty("user.dir"), "docs", "examples", "eod-risk.json");

  @Test
  void runsEndToEndWithSmallResults() throws Exception {
    FunctionRegistry functions = FunctionRegistry.load();
    GraphSpec spec = GraphValidator.parseAndValidate(Files.readAllBytes(FILE), functions,
        GraphLimits.DEFAULT);
    assertEquals(31, GraphValidator.taskCount(spec)); // 1 + 4 books x (5 batches + 2) + 2
    LocalGraphRun run = new LocalGraphRun(spec, functions);
    Map<String, JsonNode> results = run.run();

    assertEquals(2000, results.get("portfolio").get("trades").intValue());
    JsonNode firm = results.get("firm-pnl");
    assertEquals(2000, firm.get("positions").intValue());
    assertEquals(250, firm.get("pnl").size());
    double bookVarSum = 0;
    double[] summed = new double[250];
    for (int k = 0; k < 4; k++) {
      JsonNode book = results.get("pnl-BOOK-" + k);
      assertEquals(500, book.get("positions").intValue());
      for (int j = 0; j < 250; j++) {
        summed[j] += book.get("pnl").get(j).doubleValue();
      }
      JsonNode var = results.get("var-BOOK-" + k);
      assertEquals(3, var.get("tail").intValue()); // ceil(250 * 0.01)
      assertTrue(var.get("expectedShortfall").doubleValue() >= var.get("var").doubleValue());
      bookVarSum += var.get("var").doubleValue();
    }
    for (int j = 0; j < 250; j++) {
      assertEquals(summed[j], firm.get("pnl").get(j).doubleValue(), 1e-9 * Math.abs(summed[j]));
    }
    JsonNode firmVar = results.get("firm-var");
    assertTrue(firmVar.get("var").doubleValue() > 0, firmVar.toString());
    // diversification: the firm loses less in its 99% tail than the books added up
    assertTrue(firmVar.get("var").doubleValue() <= bookVarSum + 1e-6, firmVar.toString());
    assertEquals(250, firmVar.get("pnl").size());

    // results travel in cluster messages of at most 256 KiB, several tasks' deps per message
    for (Map.Entry<String, JsonNode> r : results.entrySet()) {
      assertTrue(r.getValue().toString().length() < 16 * 1024, r.getKey());
    }
    assertTrue(run.largestDepsBytes() < 64 * 1024, "deps of one task: " + run.largestDepsBytes());
  }
}
