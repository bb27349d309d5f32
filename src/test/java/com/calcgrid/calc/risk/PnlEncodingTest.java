package com.calcgrid.calc.risk;

import static com.calcgrid.calc.risk.RiskTesting.deps;
import static com.calcgrid.calc.risk.RiskTesting.input;
import static com.calcgrid.calc.risk.RiskTesting.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The compact base64 form of P&L vectors: exact, and read wherever the array form is. */
class PnlEncodingTest {
  private static final String BOOK = "{'portfolio': {'synthetic': {'trades': 600, 'books': 3,"
      + " 'underlyings': 7, 'seed': 42}}, 'market': {'rate': 0.03, 'synthetic': true},"
      + " 'scenarios': {'generate': {'count': 250, 'seed': 7, 'spotSd': 0.015, 'volSd': 0.01}},"
      + " 'book': 'BOOK-2', 'batchSize': 50";

  @Test
  void base64KeepsEveryBit() {
    double[] awkward = {0.1, -0.0, 0.0, Double.MIN_VALUE, -Double.MAX_VALUE, 1e-310,
        Math.nextUp(1.0), -123456.789e-7, Double.longBitsToDouble(0x7ff8dead0000beefL)};
    double[] back = PnlVectors.decode(PnlVectors.encode(awkward));
    assertEquals(awkward.length, back.length);
    for (int j = 0; j < awkward.length; j++) {
      assertEquals(Double.doubleToRawLongBits(awkward[j]), Double.doubleToRawLongBits(back[j]),
          "element " + j);
    }
    // 8 bytes per double, big-endian: 1.0 is 3FF0000000000000
    assertEquals("P/AAAAAAAAA=", PnlVectors.encode(new double[] {1.0}));
    assertEquals(0, PnlVectors.decode("").length);
  }

  @Test
  void revalueInBase64HasTheSameBitsAsInNumbers() throws Exception {
    JsonNode numbers = new RiskRevalue().apply(input(BOOK + ", 'batch': 1}"));
    JsonNode base64 = new RiskRevalue().apply(input(BOOK + ", 'batch': 1,"
        + " 'pnlEncoding': 'base64'}"));
    assertTrue(base64.get("pnl").isTextual(), base64.toString());
    assertArrayEquals(doubles(numbers.get("pnl")), PnlVectors.decode(base64.get("pnl").textValue()));
    assertEquals(numbers.get("baseValue"), base64.get("baseValue"));
    // about 2,700 characters for 250 scenarios, against about 4,700 as decimal text
    assertTrue(base64.toString().length() < numbers.toString().length() * 2 / 3,
        base64.toString().length() + " vs " + numbers.toString().length());
  }

  @Test
  void varReadsBothFormsMixedAndReportsTheSameFigures() throws Exception {
    Map<String, JsonNode> numbers = new LinkedHashMap<>();
    Map<String, JsonNode> mixed = new LinkedHashMap<>();
    for (int b = 0; b < 4; b++) {
      numbers.put("r[" + b + "]", new RiskRevalue().apply(input(BOOK + ", 'batch': " + b + "}")));
      mixed.put("r[" + b + "]", new RiskRevalue().apply(input(BOOK + ", 'batch': " + b
          + (b % 2 == 0 ? ", 'pnlEncoding': 'base64'}" : "}"))));
    }
    JsonNode fromNumbers = new RiskVar().apply(input("{'includePnl': true}", numbers));
    JsonNode fromMixed = new RiskVar().apply(input("{'includePnl': true,"
        + " 'pnlEncoding': 'base64'}", mixed));
    for (String field : new String[] {"var", "expectedShortfall", "worst", "worstScenario",
        "positions", "baseValue"}) {
      assertEquals(fromNumbers.get(field), fromMixed.get(field), field);
    }
    assertArrayEquals(doubles(fromNumbers.get("pnl")),
        PnlVectors.decode(fromMixed.get("pnl").textValue()));
  }

  @Test
  void aStringThatIsNotAVectorNamesTheDep() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RiskAggregate().apply(input("{}", deps("a", "{'pnl': 'not base64!'}"))));
    assertTrue(e.getMessage().startsWith("dependency 'a' has a 'pnl' string that is not an "
        + "encoded P&L vector (not base64"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new RiskVar().apply(input("{}", deps("b", "{'pnl': 'AAAA'}"))));
    assertEquals("dependency 'b' has a 'pnl' string that is not an encoded P&L vector (3 bytes,"
        + " not a whole number of doubles)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new RiskAggregate().apply(
        input("{}", deps("a", "{'pnl': 'P/AAAAAAAAA='}", "b", "{'pnl': [1, 2]}"))));
    assertEquals("P&L vectors differ in length: 'a' has 1 scenarios, 'b' has 2", e.getMessage());
    assertEquals(json("[3.0]"), new RiskAggregate().apply(
        input("{}", deps("a", "{'pnl': 'P/AAAAAAAAA='}", "b", "{'pnl': [2]}"))).get("pnl"));
  }

  static double[] doubles(JsonNode array) {
    double[] v = new double[array.size()];
    for (int j = 0; j < v.length; j++) {
      v[j] = array.get(j).doubleValue();
    }
    return v;
  }
}
