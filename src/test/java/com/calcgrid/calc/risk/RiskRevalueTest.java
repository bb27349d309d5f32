package com.calcgrid.calc.risk;

import static com.calcgrid.calc.risk.RiskTesting.input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.calc.DataFiles;
import com.calcgrid.calc.pricing.BlackScholes;
import com.calcgrid.calc.pricing.OptionType;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RiskRevalueTest {
  private static final String MARKET = "{'rate': 0.03, 'underlyings': {"
      + "'AAA': {'spot': 105, 'vol': 0.25, 'dividendYield': 0.01}, 'BBB': {'spot': 48, 'vol': 0.4}}}";
  // the last scenario takes vol below zero: it is floored at 0
  private static final String SCENARIOS =
      "[{'spot': -0.1, 'vol': 0.05}, {'spot': 0.05}, {'vol': -0.5}, {}]";
  private static final double[] SPOT = {-0.1, 0.05, 0, 0};
  private static final double[] VOL = {0.05, 0, -0.5, 0};

  @TempDir Path dir;

  /** Reading files from {@link #dir}. */
  private RiskRevalue revalue() {
    return new RiskRevalue(new DataFiles(List.of(dir), DataFiles.DEFAULT_MAX_BYTES));
  }

  @Test
  void equalsADirectSumOfBlackScholesPrices() throws Exception {
    Path file = Files.writeString(dir.resolve("p.csv"), FilePortfolioTest.GOOD);
    JsonNode out = revalue().apply(input("{'portfolio': {'file': '" + file + "'},"
        + " 'market': " + MARKET + ", 'scenarios': " + SCENARIOS + "}"));
    // T1 AAA call 100 0.5y x10, T2 BBB put 50 1y x-20, T3 AAA put 110 0.25y x5
    double[][] trades = {{105, 0.25, 0.01, 100, 0.5, 10, 1}, {48, 0.4, 0, 50, 1, -20, 0},
        {105, 0.25, 0.01, 110, 0.25, 5, 0}};
    double base = 0;
    double[] pnl = new double[SPOT.length];
    for (double[] t : trades) {
      OptionType type = t[6] == 1 ? OptionType.CALL : OptionType.PUT;
      double p0 = BlackScholes.price(type, t[0], t[3], 0.03, t[1], t[4], t[2]);
      base += t[5] * p0;
      for (int j = 0; j < SPOT.length; j++) {
        double pj = BlackScholes.price(type, t[0] * (1 + SPOT[j]), t[3], 0.03,
            Math.max(t[1] + VOL[j], 0), t[4], t[2]);
        pnl[j] += t[5] * (pj - p0);
      }
    }
    assertEquals(3, out.get("positions").intValue());
    assertEquals(3, out.get("bookPositions").intValue());
    assertTrue(out.get("book").isNull());
    assertEquals(0, out.get("batch").intValue());
    assertEquals(base, out.get("baseValue").doubleValue(), 1e-12 * Math.abs(base));
    assertEquals(SPOT.length, out.get("pnl").size());
    for (int j = 0; j < SPOT.length; j++) {
      assertEquals(pnl[j], out.get("pnl").get(j).doubleValue(), 1e-10, "scenario " + j);
    }
    assertEquals(0.0, out.get("pnl").get(3).doubleValue()); // the unshocked scenario
  }

  @Test
  void batchesOfABookAddUpToTheWholeBook() throws Exception {
    String common = "{'portfolio': {'synthetic': {'trades': 400, 'books': 3, 'underlyings': 5,"
        + " 'seed': 11}}, 'market': {'rate': 0.02, 'synthetic': true}, 'scenarios': {'generate':"
        + " {'count': 50, 'seed': 3, 'spotSd': 0.02, 'volSd': 0.01}}, 'book': 'BOOK-1'";
    JsonNode whole = revalue().apply(input(common + "}"));
    assertEquals(133, whole.get("positions").intValue());
    double base = 0;
    double[] pnl = new double[50];
    int positions = 0;
    for (int b = 0; b < 3; b++) {
      JsonNode batch = revalue().apply(input(common + ", 'batch': " + b
          + ", 'batchSize': 50}"));
      assertEquals("BOOK-1", batch.get("book").textValue());
      assertEquals(133, batch.get("bookPositions").intValue());
      positions += batch.get("positions").intValue();
      base += batch.get("baseValue").doubleValue();
      for (int j = 0; j < 50; j++) {
        pnl[j] += batch.get("pnl").get(j).doubleValue();
      }
    }
    assertEquals(133, positions);
    assertEquals(whole.get("baseValue").doubleValue(), base, 1e-9 * Math.abs(base));
    for (int j = 0; j < 50; j++) {
      assertEquals(whole.get("pnl").get(j).doubleValue(), pnl[j], 1e-9 * Math.abs(base));
    }
    JsonNode pastTheEnd = revalue().apply(input(common + ", 'batch': 3, 'batchSize': 50}"));
    assertEquals(0, pastTheEnd.get("positions").intValue());
    assertEquals(0.0, pastTheEnd.get("pnl").get(7).doubleValue());
  }

  @Test
  void aMissingUnderlyingNamesTheTrade() throws Exception {
    Path file = Files.writeString(dir.resolve("p.csv"), FilePortfolioTest.GOOD);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> revalue().apply(input("{'portfolio': {'file': '" + file + "'}, 'market': "
            + "{'rate': 0, 'underlyings': {'AAA': {'spot': 1, 'vol': 0.1}}}, 'scenarios': [{}]}")));
    assertEquals("no market data for underlying 'BBB' of trade 'T2'", e.getMessage());
  }

  @Test
  void stopsWhenInterrupted() {
    Scenarios scenarios = Scenarios.generate(100, 1, 0.01, 0.01, 0);
    SyntheticPortfolio source = new SyntheticPortfolio(10_000, 1, 3, 5);
    Market market = Market.synthetic(0.01, source);
    Thread.currentThread().interrupt();
    try {
      assertThrows(InterruptedException.class,
          () -> Revaluation.run(source.slice(null, 0, 10_000).positions(), market, scenarios));
    } finally {
      Thread.interrupted();
    }
  }
}
