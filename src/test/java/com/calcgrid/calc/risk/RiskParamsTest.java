package com.calcgrid.calc.risk;

import static com.calcgrid.calc.risk.RiskTesting.json;
import static com.calcgrid.calc.risk.RiskTesting.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.DataFiles;
import com.calcgrid.calc.FunctionRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Submission-time checks of the risk functions' params: every message names the param. */
class RiskParamsTest {
  private static final FunctionRegistry REGISTRY = FunctionRegistry.load();
  private static final String SYNTHETIC =
      "{'synthetic': {'trades': 100, 'books': 4, 'underlyings': 3, 'seed': 1}}";
  private static final String REVALUE = "{'portfolio': " + SYNTHETIC + ", 'market': {'rate': "
      + "0.03, 'synthetic': true}, 'scenarios': [{'spot': 0.01}], 'book': 'BOOK-2', 'batch': 0,"
      + " 'batchSize': 10}";

  @TempDir Path dir;

  @Test
  void everyRiskFunctionIsRegistered() {
    for (String name : new String[] {"risk.portfolio", "risk.revalue", "risk.aggregate",
        "risk.var", "bs.price"}) {
      assertTrue(REGISTRY.find(name).isPresent(), name);
    }
  }

  @Test
  void validParamsPass() {
    fn("risk.revalue").validate(json(REVALUE));
    fn("risk.portfolio").validate(json("{'portfolio': {'file': 'not/read/at/validation.csv'}}"));
    fn("risk.aggregate").validate(json("{}"));
    fn("risk.var").validate(json("{'confidence': 0.975, 'includePnl': true}"));
    fn("risk.var").validate(json("{'includePnl': true, 'pnlEncoding': 'base64'}"));
    fn("risk.aggregate").validate(json("{'pnlEncoding': 'numbers'}"));
    fn("risk.revalue").validate(json(REVALUE.replace("'batch': 0,",
        "'batch': 0, 'pnlEncoding': 'base64',")));
  }

  @Test
  void revalueMessages() {
    assertRevalue("'book': 'BOOK-2'", "'book': 'BOOK-4'",
        "param 'book' must name a book of the synthetic portfolio, BOOK-0 to BOOK-3");
    assertRevalue("'batchSize': 10", "'batchSize': 0",
        "param 'batchSize' must be an integer from 1 to 1000000");
    assertRevalue("'batch': 0", "'batch': -1", "param 'batch' must be an integer from 0");
    assertRevalue("'trades': 100", "'trades': 0",
        "param 'portfolio.synthetic.trades' must be an integer from 1");
    assertRevalue("'seed': 1", "'seed': 1.5", "param 'portfolio.synthetic.seed' must be an"
        + " integer");
    assertRevalue("'rate': 0.03, 'synthetic': true", "'synthetic': true",
        "param 'market.rate' is required");
    assertRevalue("'synthetic': true", "'underlyings': {'U0': {'spot': 100, 'vol': -0.2}}",
        "param 'market.underlyings.U0.vol' must be from 0.0 to 10.0");
    assertRevalue("'synthetic': true", "'underlyings': {'U0': {'spot': 0, 'vol': 0.2}}",
        "param 'market.underlyings.U0.spot' must be positive");
    assertRevalue("'synthetic': true", "'synthetic': true, 'underlyings': {}",
        "param 'market' must have exactly one of 'underlyings' or 'synthetic'");
    assertRevalue("[{'spot': 0.01}]", "{'spot': {'from': 0, 'to': 1, 'steps': 0}}",
        "param 'scenarios.spot.steps' must be an integer from 1");
    assertRevalue("'batch': 0,", "'batch': 0, 'bacthSize': 5,", "unknown param 'bacthSize'");
    assertRevalue("'portfolio': " + SYNTHETIC, "'portfolio': {'file': ''}",
        "param 'portfolio.file' must be a non-empty string");
    assertRevalue("'portfolio': " + SYNTHETIC, "'portfolio': {'file': 'a.csv', 'synthetic': {}}",
        "param 'portfolio' must have exactly one of 'synthetic' or 'file'");
    assertRevalue("'portfolio': " + SYNTHETIC, "'portfolio': {'file': 'a.csv'}",
        "param 'market.synthetic' needs a synthetic portfolio");
    assertRevalue("'scenarios': [{'spot': 0.01}], ", "", "param 'scenarios' is required");
  }

  @Test
  void varAndAggregateMessages() {
    assertMessage("risk.var", "{'confidence': 1}",
        "param 'confidence' must be between 0 and 1 (exclusive), got 1.0");
    assertMessage("risk.var", "{'confidence': '99%'}", "param 'confidence' must be a number");
    assertMessage("risk.var", "{'confidance': 0.95}", "unknown param 'confidance'");
    assertMessage("risk.var", "{'includePnl': 'yes'}", "param 'includePnl' must be true or"
        + " false");
    assertMessage("risk.aggregate", "{'allowPartial': 1}", "param 'allowPartial' must be true");
    assertMessage("risk.portfolio", "{}", "param 'portfolio' is required");
    assertMessage("risk.var", "{'pnlEncoding': 'hex'}",
        "param 'pnlEncoding' must be one of numbers, base64, got");
    assertMessage("risk.aggregate", "{'pnlEncoding': true}",
        "param 'pnlEncoding' must be one of numbers, base64, got");
    assertRevalue("'batch': 0,", "'batch': 0, 'pnlEncoding': 'binary',",
        "param 'pnlEncoding' must be one of numbers, base64, got");
  }

  @Test
  void portfolioFailsFastOnABadFileAndChecksMarketCoverage() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.csv"),
        "id,book,underlying,type,strike,expiry,quantity\nT1,B,U,call,x,1,1\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fn("risk.portfolio").apply(input("{'portfolio': {'file': '" + bad + "'}}")));
    assertTrue(e.getMessage().contains("line 2, column 5 (strike)"), e.getMessage());

    Path good = Files.writeString(dir.resolve("good.csv"), FilePortfolioTest.GOOD);
    JsonNode summary = fn("risk.portfolio").apply(input("{'portfolio': {'file': '" + good
        + "'}}"));
    assertEquals(json("{'trades': 3, 'books': {'EQ-1': 2, 'EQ-2': 1}, 'bookCount': 2,"
        + " 'underlyings': ['AAA', 'BBB'], 'underlyingCount': 2}").toString(), summary.toString());
    e = assertThrows(IllegalArgumentException.class,
        () -> fn("risk.portfolio").apply(input("{'portfolio': {'file': '" + good + "'}, "
            + "'market': {'rate': 0, 'underlyings': {'AAA': {'spot': 1, 'vol': 0.1}}}}")));
    assertEquals("no market data for 1 underlying(s) of the portfolio: BBB", e.getMessage());

    JsonNode synthetic = fn("risk.portfolio").apply(input("{'portfolio': " + SYNTHETIC + "}"));
    assertEquals(json("{'BOOK-0': 25, 'BOOK-1': 25, 'BOOK-2': 25, 'BOOK-3': 25}").toString(),
        synthetic.get("books").toString());
  }

  private void assertRevalue(String from, String to, String expected) {
    assertTrue(REVALUE.contains(from), from);
    assertMessage("risk.revalue", REVALUE.replace(from, to), expected);
  }

  private void assertMessage(String fn, String params, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fn(fn).validate(json(params)));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }

  /** The installed functions, but those that read files read them from {@link #dir}. */
  private CalcFunction fn(String name) {
    DataFiles files = new DataFiles(List.of(dir), DataFiles.DEFAULT_MAX_BYTES);
    return switch (name) {
      case "risk.portfolio" -> new RiskPortfolio(files);
      case "risk.revalue" -> new RiskRevalue(files);
      default -> REGISTRY.find(name).orElseThrow();
    };
  }
}
