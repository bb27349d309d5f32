package com.calcgrid.calc.pricing;

import static com.calcgrid.calc.pricing.OptionType.CALL;
import static com.calcgrid.calc.pricing.OptionType.PUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Reference prices were derived with 40-digit arithmetic (mpmath: exact normal CDF values in the
 * textbook formula) and rounded to 22 significant digits.
 */
class BlackScholesTest {

  /** Hull, Options, Futures and Other Derivatives: S=42, K=40, r=10%, vol=20%, T=6 months. */
  @Test
  void hullTextbookExample() {
    double call = BlackScholes.price(CALL, 42, 40, 0.10, 0.20, 0.5, 0);
    double put = BlackScholes.price(PUT, 42, 40, 0.10, 0.20, 0.5, 0);
    assertEquals(4.76, Math.round(call * 100) / 100.0);
    assertEquals(0.81, Math.round(put * 100) / 100.0);
    assertRelative(4.759422392871533219601, call, 1e-12);
    assertRelative(0.8085993729000935832577, put, 1e-12);

    Greeks g = BlackScholes.greeks(CALL, 42, 40, 0.10, 0.20, 0.5, 0);
    assertEquals(call, g.price(), 0);
    assertRelative(0.77913129094266894042, g.delta(), 1e-12);
    assertRelative(0.049962670405911855657, g.gamma(), 1e-12);
    assertRelative(8.8134150596028513379, g.vega(), 1e-12);
  }

  /** Hull's index option with a dividend yield: S=930, K=900, r=8%, q=3%, vol=20%, T=2 months. */
  @Test
  void dividendYield() {
    double call = BlackScholes.price(CALL, 930, 900, 0.08, 0.20, 2.0 / 12, 0.03);
    assertEquals(51.83, Math.round(call * 100) / 100.0);
    assertRelative(51.83295679649084889588, call, 1e-12);
    assertRelative(14.5509967737724432446,
        BlackScholes.price(PUT, 930, 900, 0.08, 0.20, 2.0 / 12, 0.03), 1e-12);
    Greeks g = BlackScholes.greeks(CALL, 930, 900, 0.08, 0.20, 2.0 / 12, 0.03);
    assertRelative(0.70341800860119177858, g.delta(), 1e-12);
    assertRelative(129.94845333264776183, g.vega(), 1e-12);
    // a dividend makes the call cheaper and the put dearer
    assertTrue(call < BlackScholes.price(CALL, 930, 900, 0.08, 0.20, 2.0 / 12, 0));
  }

  @Test
  void deepOutOfTheMoneyKeepsItsSignificantDigits() {
    assertRelative(4.116295805466574337786e-34,
        BlackScholes.price(CALL, 100, 250, 0.03, 0.15, 0.25, 0), 1e-9);
    assertRelative(148.1320137047846076304,
        BlackScholes.price(PUT, 100, 250, 0.03, 0.15, 0.25, 0), 1e-12);
  }

  @Test
  void putCallParity() {
    double[][] cases = {
      {42, 40, 0.10, 0.20, 0.5, 0}, {100, 100, 0.05, 0.3, 1, 0.02}, {100, 60, -0.01, 0.8, 3, 0},
      {100, 160, 0.03, 0.1, 0.1, 0.04}, {5000, 4500, 0.02, 0.25, 10, 0.01},
    };
    for (double[] c : cases) {
      double call = BlackScholes.price(CALL, c[0], c[1], c[2], c[3], c[4], c[5]);
      double put = BlackScholes.price(PUT, c[0], c[1], c[2], c[3], c[4], c[5]);
      double forward = c[0] * Math.exp(-c[5] * c[4]) - c[1] * Math.exp(-c[2] * c[4]);
      assertEquals(forward, call - put, 1e-12 * c[0], java.util.Arrays.toString(c));
    }
  }

  @Test
  void greeksMatchCentralFiniteDifferencesOfThePrice() {
    double[][] cases = {
      {42, 40, 0.10, 0.20, 0.5, 0}, {100, 120, 0.05, 0.35, 2, 0.03}, {100, 80, 0.01, 0.15, 0.2, 0},
      {250, 250, 0.04, 0.6, 1, 0.05},
    };
    for (OptionType type : OptionType.values()) {
      for (double[] c : cases) {
        double s = c[0], k = c[1], r = c[2], v = c[3], t = c[4], q = c[5];
        Greeks g = BlackScholes.greeks(type, s, k, r, v, t, q);
        String at = type + " " + java.util.Arrays.toString(c);
        assertClose(g.delta(), central(x -> BlackScholes.price(type, x, k, r, v, t, q), s, s * 1e-4),
            "delta " + at);
        double h = s * 1e-3;
        double gamma = (BlackScholes.price(type, s + h, k, r, v, t, q)
            - 2 * BlackScholes.price(type, s, k, r, v, t, q)
            + BlackScholes.price(type, s - h, k, r, v, t, q)) / (h * h);
        assertClose(g.gamma(), gamma, "gamma " + at);
        assertClose(g.vega(), central(x -> BlackScholes.price(type, s, k, r, x, t, q), v, 1e-5),
            "vega " + at);
        // theta is the change as time passes, i.e. as the expiry shrinks
        assertClose(g.theta(), -central(x -> BlackScholes.price(type, s, k, r, v, x, q), t, 1e-6),
            "theta " + at);
        assertClose(g.rho(), central(x -> BlackScholes.price(type, s, k, x, v, t, q), r, 1e-6),
            "rho " + at);
      }
    }
  }

  @Test
  void zeroVolOrExpiryGivesDiscountedIntrinsicValue() {
    assertEquals(42 - 40 * Math.exp(-0.05), BlackScholes.price(CALL, 42, 40, 0.1, 0, 0.5, 0),
        1e-12);
    assertEquals(0, BlackScholes.price(PUT, 42, 40, 0.1, 0, 0.5, 0));
    assertEquals(2, BlackScholes.price(CALL, 42, 40, 0.1, 0.2, 0, 0), 1e-12);
    assertEquals(0, BlackScholes.blackPrice(true, 40, 42, Math.log(40.0 / 42), 0));
  }

  @Test
  void badInputsAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> BlackScholes.price(CALL, -1, 40, 0.1, 0.2, 0.5, 0));
    assertThrows(IllegalArgumentException.class,
        () -> BlackScholes.price(CALL, 42, Double.NaN, 0.1, 0.2, 0.5, 0));
    assertThrows(IllegalArgumentException.class,
        () -> BlackScholes.price(CALL, 42, 40, 0.1, -0.2, 0.5, 0));
    assertThrows(IllegalArgumentException.class,
        () -> BlackScholes.greeks(PUT, 42, 40, 0.1, 0.2, 0, 0));
  }

  private static double central(DoubleUnaryOperator f, double x, double h) {
    return (f.applyAsDouble(x + h) - f.applyAsDouble(x - h)) / (2 * h);
  }

  private static void assertClose(double expected, double actual, String what) {
    assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)), what);
  }

  private static void assertRelative(double expected, double actual, double tolerance) {
    double relative = Math.abs(actual - expected) / Math.abs(expected);
    assertTrue(relative <= tolerance, "got " + actual + ", want " + expected + " (rel "
        + relative + ")");
  }
}
