package com.calcgrid.calc.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HistoricalVarTest {
  // sorted: -20 (scenario 4), -10, -7, -3, 0, 1, 2, 4, 5, 8
  private static final double[] PNL = {-10, 5, -3, 8, -20, 0, 2, -7, 4, 1};

  @Test
  void handComputedVarAndExpectedShortfall() {
    HistoricalVar.Figures f = HistoricalVar.of(PNL, 0.8); // k = ceil(10 * 0.2) = 2
    assertEquals(2, f.tail());
    assertEquals(10, f.var());
    assertEquals(15, f.expectedShortfall());
    assertEquals(20, f.worst());
    assertEquals(4, f.worstScenario());
    assertEquals(10, f.scenarios());

    HistoricalVar.Figures f70 = HistoricalVar.of(PNL, 0.7); // k = 3
    assertEquals(7, f70.var());
    assertEquals(37.0 / 3, f70.expectedShortfall(), 1e-12);

    HistoricalVar.Figures f95 = HistoricalVar.of(PNL, 0.95); // k = ceil(0.5) = 1: the worst
    assertEquals(20, f95.var());
    assertEquals(20, f95.expectedShortfall());
  }

  @Test
  void tailSizeIsCeilingWithoutBinaryRoundingSurprises() {
    assertEquals(1, HistoricalVar.tailSize(100, 0.99)); // 100 * (1 - 0.99) = 1.0000000000000009
    assertEquals(3, HistoricalVar.tailSize(250, 0.99));
    assertEquals(5, HistoricalVar.tailSize(500, 0.99));
    assertEquals(13, HistoricalVar.tailSize(250, 0.95));
    assertEquals(1, HistoricalVar.tailSize(10, 0.9999));
    assertEquals(10, HistoricalVar.tailSize(10, 0.000001));
  }

  @Test
  void allGainsGiveNegativeVar() {
    HistoricalVar.Figures f = HistoricalVar.of(new double[] {1, 2, 3, 4}, 0.75);
    assertEquals(-1, f.var());
    assertEquals(-1, f.worst());
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> HistoricalVar.of(new double[0], 0.99));
    assertThrows(IllegalArgumentException.class, () -> HistoricalVar.of(PNL, 1.0));
    assertThrows(IllegalArgumentException.class, () -> HistoricalVar.of(PNL, 0));
    assertThrows(IllegalArgumentException.class,
        () -> HistoricalVar.of(new double[] {1, Double.NaN}, 0.5));
  }
}
