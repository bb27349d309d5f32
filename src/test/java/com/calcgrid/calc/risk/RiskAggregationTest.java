package com.calcgrid.calc.risk;

import static com.calcgrid.calc.risk.RiskTesting.deps;
import static com.calcgrid.calc.risk.RiskTesting.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** risk.aggregate and risk.var on dependency results. */
class RiskAggregationTest {
  private static final Map<String, JsonNode> BATCHES = deps(
      "portfolio", "{'trades': 5, 'books': {'B': 5}}",
      "r[0]", "{'book': 'B', 'batch': 0, 'positions': 3, 'bookPositions': 5, 'baseValue': 10,"
          + " 'pnl': [1, -2, 3]}",
      "r[1]", "{'book': 'B', 'batch': 1, 'positions': 2, 'bookPositions': 5, 'baseValue': 2.5,"
          + " 'pnl': [0.5, -1, -4]}",
      "extra", "[1, 1, 1]");

  @Test
  void aggregateSumsElementWiseAndIgnoresOtherResults() {
    JsonNode out = new RiskAggregate().apply(input("{}", BATCHES));
    assertEquals(5, out.get("positions").intValue());
    assertEquals(12.5, out.get("baseValue").doubleValue());
    assertEquals(RiskTesting.json("[2.5, -2.0, 0.0]"), out.get("pnl"));
  }

  @Test
  void vectorsOfDifferentLengthsNameTheDeps() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RiskAggregate().apply(input("{}", deps("a", "[1, 2]", "b", "{'pnl': [1]}"))));
    assertEquals("P&L vectors differ in length: 'a' has 2 scenarios, 'b' has 1", e.getMessage());
  }

  @Test
  void noVectorAtAllIsAnError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RiskAggregate().apply(input("{}", deps("a", "{'x': 1}", "b", "'text'"))));
    assertTrue(e.getMessage().startsWith("no dependency returned a P&L vector"), e.getMessage());
    assertTrue(e.getMessage().endsWith("deps: a, b"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new RiskAggregate().apply(input("{}", deps("a", "{'pnl': [1, 'x']}"))));
  }

  @Test
  void missingOrRepeatedBatchesFailUnlessPartialIsAllowed() {
    Map<String, JsonNode> firstOnly = deps("r[0]", BATCHES.get("r[0]").toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RiskAggregate().apply(input("{}", firstOnly)));
    assertTrue(e.getMessage().startsWith("the batches of book 'B' cover 3 of its 5 positions"),
        e.getMessage());
    assertEquals(3, new RiskAggregate().apply(input("{'allowPartial': true}", firstOnly))
        .get("positions").intValue());

    Map<String, JsonNode> twice = deps("r[0]", BATCHES.get("r[0]").toString(),
        "again", BATCHES.get("r[0]").toString());
    e = assertThrows(IllegalArgumentException.class,
        () -> new RiskVar().apply(input("{}", twice)));
    assertEquals("batch 0 of book 'B' is counted twice: by 'r[0]' and 'again'", e.getMessage());
  }

  @Test
  void varOfTheSummedVector() {
    // summed P&L: [2.5, -2, 0]; at 0.5, k = ceil(1.5) = 2: VaR 0, ES 1
    JsonNode out = new RiskVar().apply(input("{'confidence': 0.5}", BATCHES));
    assertEquals(0.5, out.get("confidence").doubleValue());
    assertEquals(3, out.get("scenarios").intValue());
    assertEquals(2, out.get("tail").intValue());
    assertEquals(-0.0, out.get("var").doubleValue(), 0);
    assertEquals(1.0, out.get("expectedShortfall").doubleValue());
    assertEquals(2.0, out.get("worst").doubleValue());
    assertEquals(1, out.get("worstScenario").intValue());
    assertEquals(12.5, out.get("baseValue").doubleValue());
    assertFalse(out.has("pnl"));
    JsonNode withPnl = new RiskVar().apply(input("{'includePnl': true}", BATCHES));
    assertEquals(0.99, withPnl.get("confidence").doubleValue());
    assertEquals(3, withPnl.get("pnl").size());
    assertEquals(2.0, withPnl.get("var").doubleValue()); // k = 1: the worst
  }

  @Test
  void varOnTheBatchesThemselvesEqualsAggregateThenVarAndAPlainLoopToTheLastBit()
      throws Exception {
    SyntheticPortfolio portfolio = new SyntheticPortfolio(800, 2, 9, 5);
    Market market = Market.synthetic(0.03, portfolio);
    Scenarios scenarios = Scenarios.generate(250, 7, 0.015, 0.01, 0);
    String common = "{'portfolio': {'synthetic': {'trades': 800, 'books': 2, 'underlyings': 9,"
        + " 'seed': 5}}, 'market': {'rate': 0.03, 'synthetic': true}, 'scenarios': {'generate':"
        + " {'count': 250, 'seed': 7, 'spotSd': 0.015, 'volSd': 0.01}}, 'batchSize': 100,"
        + " 'pnlEncoding': 'base64', 'book': ";
    Map<String, JsonNode> bookVars = new LinkedHashMap<>();
    Map<String, JsonNode> bookSums = new LinkedHashMap<>();
    double[] firm = new double[250];
    for (String book : new String[] {"BOOK-0", "BOOK-1"}) {
      Map<String, JsonNode> batches = new LinkedHashMap<>();
      double[] plain = new double[250];
      for (int b = 0; b < 4; b++) {
        batches.put(book + "[" + b + "]", new RiskRevalue().apply(
            input(common + "'" + book + "', 'batch': " + b + "}")));
        double[] pnl = Revaluation.run(portfolio.slice(book, b * 100L, b * 100L + 100)
            .positions(), market, scenarios).pnl();
        for (int j = 0; j < 250; j++) {
          plain[j] += pnl[j];
        }
      }
      for (int j = 0; j < 250; j++) {
        firm[j] += plain[j];
      }
      JsonNode direct = new RiskVar().apply(input("{'includePnl': true, 'pnlEncoding': "
          + "'base64'}", batches));
      JsonNode sum = new RiskAggregate().apply(input("{}", batches));
      JsonNode viaAggregate = new RiskVar().apply(input("{}", Map.of("sum", sum)));
      assertEquals(HistoricalVar.of(plain, 0.99).var(), direct.get("var").doubleValue(), 0);
      assertEquals(viaAggregate.get("var"), direct.get("var"));
      assertEquals(viaAggregate.get("expectedShortfall"), direct.get("expectedShortfall"));
      assertEquals(400, direct.get("positions").intValue());
      bookVars.put("var-" + book, direct);
      bookSums.put("pnl-" + book, sum);
    }
    // a firm VaR over the books' VaR results (with their P&L) is the firm VaR over the books'
    // sums, which is the VaR of the plain firm-wide sum
    JsonNode firmFromVars = new RiskVar().apply(input("{}", bookVars));
    JsonNode firmFromSums = new RiskVar().apply(input("{}", Map.of("firm",
        new RiskAggregate().apply(input("{}", bookSums)))));
    assertEquals(HistoricalVar.of(firm, 0.99).var(), firmFromVars.get("var").doubleValue(), 0);
    assertEquals(firmFromSums.get("var"), firmFromVars.get("var"));
    assertEquals(800, firmFromVars.get("positions").intValue());
  }

  @Test
  void plainArraysHaveNoPositionsOrBaseValue() {
    JsonNode out = new RiskVar().apply(input("{}", deps("a", "[-1, 2]", "b", "[-1, 0]")));
    assertTrue(out.get("positions").isNull());
    assertTrue(out.get("baseValue").isNull());
    assertEquals(2.0, out.get("var").doubleValue());
  }
}
