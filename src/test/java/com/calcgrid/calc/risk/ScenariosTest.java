package com.calcgrid.calc.risk;

import static com.calcgrid.calc.risk.RiskTesting.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScenariosTest {

  @Test
  void explicitListDefaultsMissingShocksToZero() {
    Scenarios s = Scenarios.parse(json("[{'spot': -0.05, 'vol': 0.01}, {'vol': 0.02}, {}]"), "s");
    assertArrayEquals(new double[] {-0.05, 0, 0}, s.spotShock());
    assertArrayEquals(new double[] {0.01, 0.02, 0}, s.volShock());
  }

  @Test
  void gridIsSpotMajorWithExactEndpointsAndZeroInTheMiddle() {
    Scenarios s = Scenarios.parse(json("{'spot': {'from': -0.1, 'to': 0.1, 'steps': 21},"
        + " 'vol': [-0.05, 0, 0.05]}"), "s");
    assertEquals(63, s.size());
    double[] spot = s.spotShock();
    double[] vol = s.volShock();
    assertEquals(-0.1, spot[0]);
    assertEquals(-0.1, spot[2]);
    assertEquals(-0.05, vol[0]);
    assertEquals(0.05, vol[2]);
    assertEquals(0.0, spot[30]); // spot index 10 of 21: exactly 0
    assertEquals(0.1, spot[62]);
    assertEquals(0.01, spot[33], 1e-15);

    Scenarios spotOnly = Scenarios.parse(json("{'spot': {'from': -0.2, 'to': 0.2, 'steps': 5}}"),
        "s");
    assertArrayEquals(new double[] {-0.2, -0.1, 0, 0.1, 0.2}, spotOnly.spotShock(), 1e-15);
    assertArrayEquals(new double[5], spotOnly.volShock());
  }

  @Test
  void generatedScenariosAreDeterministicAndNormal() {
    Scenarios a = Scenarios.parse(json("{'generate': {'count': 5000, 'seed': 7, 'spotSd': 0.015,"
        + " 'volSd': 0.01, 'correlation': -0.6}}"), "s");
    Scenarios b = Scenarios.generate(5000, 7, 0.015, 0.01, -0.6);
    assertArrayEquals(a.spotShock(), b.spotShock());
    assertArrayEquals(a.volShock(), b.volShock());
    assertEquals(5000, a.size());
    // the first scenarios do not depend on how many are generated
    assertEquals(a.spotShock()[9], Scenarios.generate(10, 7, 0.015, 0.01, -0.6).spotShock()[9]);

    double[] logReturn = a.spotShock();
    double[] vol = a.volShock();
    double sumX = 0, sumY = 0, sumXx = 0, sumYy = 0, sumXy = 0;
    for (int j = 0; j < logReturn.length; j++) {
      double x = Math.log1p(logReturn[j]);
      double y = vol[j];
      assertTrue(logReturn[j] > -1);
      sumX += x;
      sumY += y;
      sumXx += x * x;
      sumYy += y * y;
      sumXy += x * y;
    }
    int n = logReturn.length;
    double sdX = Math.sqrt(sumXx / n - sumX * sumX / n / n);
    double sdY = Math.sqrt(sumYy / n - sumY * sumY / n / n);
    double corr = (sumXy / n - sumX * sumY / n / n) / (sdX * sdY);
    assertEquals(0, sumX / n, 0.001);
    assertEquals(0.015, sdX, 0.001);
    assertEquals(0.01, sdY, 0.0007);
    assertEquals(-0.6, corr, 0.05);

    Scenarios other = Scenarios.generate(5000, 8, 0.015, 0.01, -0.6);
    assertTrue(other.spotShock()[0] != a.spotShock()[0]);
  }

  @Test
  void badShapesNameTheParam() {
    assertMessage("{'spot': {'from': -0.1, 'to': 0.1}}", "param 'scenarios.spot.steps' is required");
    assertMessage("[{'spot': -1.5}]", "param 'scenarios': scenario 0: the spot shock must be");
    assertMessage("[{'spt': 0.1}]", "unknown param 'scenarios[0].spt'");
    assertMessage("{'generate': {'count': 0, 'seed': 1, 'spotSd': 0.01, 'volSd': 0}}",
        "param 'scenarios.generate.count' must be an integer from 1 to 10000");
    assertMessage("{'generate': {'count': 10, 'seed': 1, 'spotSd': -0.01, 'volSd': 0}}",
        "param 'scenarios.generate.spotSd' must be from 0.0 to 1.0");
    assertMessage("{'spot': {'from': -0.1, 'to': 0.1, 'steps': 101}, 'vol': "
        + "{'from': 0, 'to': 0.1, 'steps': 101}}", "param 'scenarios': needs 1 to 10000");
    assertMessage("{'shocks': 3}", "param 'scenarios' must be a list of scenarios, a grid");
    assertMessage("[]", "param 'scenarios': needs 1 to 10000 scenarios, got 0");
    assertMessage("'many'", "param 'scenarios' must be an object");
  }

  private static void assertMessage(String scenarios, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Scenarios.parse(json(scenarios), "scenarios"));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }
}
