package com.calcgrid.calc.risk;

import com.calcgrid.calc.DataFiles;
import com.calcgrid.calc.pricing.BlackScholes;

/**
 * Full revaluation of positions under scenarios: the inner loop of an end-of-day risk run.
 *
 * <p>For each position the base price and the price under every scenario come from {@link
 * BlackScholes#blackPrice} with the pieces that do not change across scenarios (discounted
 * strike, log-moneyness, sqrt(expiry)) computed once, so a scenario costs one division and two
 * normal CDFs, and nothing is allocated inside the loops. Positions are the outer loop so that the
 * P&L vector being summed stays in the L1 cache.
 */
public final class Revaluation {
  private Revaluation() {}

  /**
   * What a batch is worth now and how much that changes under each scenario.
   *
   * @param positions how many positions were revalued
   * @param baseValue sum of quantity * price under today's market
   * @param pnl pnl[j] = sum of quantity * (price under scenario j - base price); positive is a
   *     gain
   */
  public record Result(int positions, double baseValue, double[] pnl) {}

  /**
   * Revalues {@code portfolio} under {@code scenarios}. Checks for interruption every few
   * thousand prices, so a cancelled or timed-out task stops promptly.
   *
   * @throws IllegalArgumentException when the market has no data for a position's underlying
   * @throws InterruptedException when the calling thread is interrupted
   */
  public static Result run(Portfolio portfolio, Market market, Scenarios scenarios)
      throws InterruptedException {
    int m = scenarios.size();
    double[] spotFactor = new double[m];
    double[] logSpotFactor = new double[m];
    double[] volShock = new double[m];
    for (int j = 0; j < m; j++) {
      spotFactor[j] = 1 + scenarios.spotShock(j);
      logSpotFactor[j] = Math.log1p(scenarios.spotShock(j));
      volShock[j] = scenarios.volShock(j);
    }
    double rate = market.rate();
    double[] pnl = new double[m];
    double baseValue = 0;
    int checkEvery = Math.max(1, 4096 / m);
    for (int i = 0; i < portfolio.size(); i++) {
      if (i % checkEvery == 0 && Thread.interrupted()) {
        throw new InterruptedException("revaluation interrupted after " + i + " positions");
      }
      int u = market.indexOf(portfolio.underlying(i));
      if (u < 0) {
        throw new IllegalArgumentException("no market data for underlying '"
            + DataFiles.excerpt(portfolio.underlying(i)) + "' of trade '"
            + DataFiles.excerpt(portfolio.id(i)) + "'");
      }
      boolean call = portfolio.isCall(i);
      double spot = market.spot(u);
      double vol = market.vol(u);
      double expiry = portfolio.expiry(i);
      double strike = portfolio.strike(i);
      double quantity = portfolio.quantity(i);
      double sqrtT = Math.sqrt(expiry);
      double dividendYield = market.dividendYield(u);
      double discSpot = spot * Math.exp(-dividendYield * expiry);
      double discStrike = strike * Math.exp(-rate * expiry);
      // as BlackScholes.price computes it, so the base price is bit for bit the same
      double logMoneyness = Math.log(spot / strike) + (rate - dividendYield) * expiry;
      double base = BlackScholes.blackPrice(call, discSpot, discStrike, logMoneyness,
          vol * sqrtT);
      baseValue += quantity * base;
      for (int j = 0; j < m; j++) {
        double shockedVol = Math.max(vol + volShock[j], 0.0);
        double price = BlackScholes.blackPrice(call, discSpot * spotFactor[j], discStrike,
            logMoneyness + logSpotFactor[j], shockedVol * sqrtT);
        pnl[j] += quantity * (price - base);
      }
    }
    return new Result(portfolio.size(), baseValue, pnl);
  }
}
