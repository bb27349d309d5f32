package com.calcgrid.calc.risk;

import java.util.Arrays;

/**
 * Historical value at risk and expected shortfall of a P&L vector, one P&L per scenario, each
 * scenario equally likely.
 *
 * <p>Conventions: P&L positive is a gain. With n scenarios and confidence c, the tail has k =
 * ceil(n (1 - c)) scenarios, at least 1 (n (1 - c) is rounded to 9 decimals first, so that 100
 * scenarios at 0.99 give k = 1 and not 2 through the binary rounding of 0.01). VaR is minus the
 * k-th smallest P&L (no interpolation between neighbours); expected shortfall is minus the mean of
 * the k smallest. Both are reported as positive numbers for a loss (negative when even the tail
 * is a gain), and ES is never below VaR.
 */
public final class HistoricalVar {
  private HistoricalVar() {}

  /**
   * The figures.
   *
   * @param tail k, the number of scenarios in the tail
   * @param worst minus the smallest P&L: the largest loss, positive for a loss
   * @param worstScenario the index of the scenario with the smallest P&L (the first, on a tie)
   */
  public record Figures(double confidence, int scenarios, int tail, double var,
      double expectedShortfall, double worst, int worstScenario) {}

  /** The tail size k for n scenarios at {@code confidence}. */
  public static int tailSize(int n, double confidence) {
    double exact = n * (1 - confidence);
    long k = (long) Math.ceil(Math.round(exact * 1e9) / 1e9);
    return (int) Math.max(1, Math.min(n, k));
  }

  /**
   * Computes VaR and ES.
   *
   * @throws IllegalArgumentException when {@code pnl} is empty or has a non-finite value, or
   *     confidence is not strictly between 0 and 1
   */
  public static Figures of(double[] pnl, double confidence) {
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("confidence must be between 0 and 1, got "
          + confidence);
    }
    if (pnl.length == 0) {
      throw new IllegalArgumentException("no scenarios: the P&L vector is empty");
    }
    int worstScenario = 0;
    for (int j = 0; j < pnl.length; j++) {
      if (!Double.isFinite(pnl[j])) {
        throw new IllegalArgumentException("P&L of scenario " + j + " is " + pnl[j]);
      }
      if (pnl[j] < pnl[worstScenario]) {
        worstScenario = j;
      }
    }
    double[] sorted = pnl.clone();
    Arrays.sort(sorted);
    int k = tailSize(pnl.length, confidence);
    double tailSum = 0;
    for (int i = 0; i < k; i++) {
      tailSum += sorted[i];
    }
    // 0.0 - x rather than -x, so that a P&L of 0 reports a VaR of 0, not -0
    return new Figures(confidence, pnl.length, k, 0.0 - sorted[k - 1], 0.0 - tailSum / k,
        0.0 - sorted[0], worstScenario);
  }
}
