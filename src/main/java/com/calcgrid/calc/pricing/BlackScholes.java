package com.calcgrid.calc.pricing;

/**
 * Black-Scholes-Merton prices and Greeks of European options on an underlying paying a
 * continuous dividend yield. Plain static maths on doubles, usable without JSON: {@code bs.price},
 * the risk revaluation and a benchmark baseline all call the same code.
 *
 * <p>Inputs: {@code spot} and {@code strike} in currency, {@code rate} the continuously
 * compounded risk-free rate per year, {@code vol} the annual volatility (0.2 = 20%), {@code
 * expiry} in years, {@code dividendYield} continuously compounded per year. Outputs are per one
 * unit of underlying; the units of the Greeks are those of {@link Greeks}: vega and rho per 1.00
 * (not per 1%), theta per year of calendar time.
 *
 * <p>The normal distribution is {@link Normal}, accurate to about 1e-15 relative, so prices of
 * deep out-of-the-money options keep their significant digits.
 */
public final class BlackScholes {
  private BlackScholes() {}

  /**
   * The price of a European option. {@code vol} 0 or {@code expiry} 0 give the limit: the
   * discounted intrinsic value of the forward.
   *
   * @throws IllegalArgumentException when an input is not finite, spot or strike is not
   *     positive, or vol or expiry is negative
   */
  public static double price(OptionType type, double spot, double strike, double rate,
      double vol, double expiry, double dividendYield) {
    check(spot, strike, rate, vol, expiry, dividendYield);
    if (vol <= 0 || expiry <= 0) {
      double fwd = spot * Math.exp(-dividendYield * expiry) - strike * Math.exp(-rate * expiry);
      return Math.max(type == OptionType.CALL ? fwd : -fwd, 0.0);
    }
    double discSpot = spot * Math.exp(-dividendYield * expiry);
    double discStrike = strike * Math.exp(-rate * expiry);
    double logMoneyness = Math.log(spot / strike) + (rate - dividendYield) * expiry;
    return blackPrice(type == OptionType.CALL, discSpot, discStrike, logMoneyness,
        vol * Math.sqrt(expiry));
  }

  /**
   * The price from precomputed pieces, for inner loops that shock spot and vol over many
   * scenarios: no checks, no allocation.
   *
   * @param discountedSpot spot * exp(-dividendYield * expiry)
   * @param discountedStrike strike * exp(-rate * expiry)
   * @param logMoneyness ln(discountedSpot / discountedStrike), i.e. ln(S/K) + (r - q) T
   * @param stdDev vol * sqrt(expiry); 0 or less gives the discounted intrinsic value
   */
  public static double blackPrice(boolean call, double discountedSpot, double discountedStrike,
      double logMoneyness, double stdDev) {
    if (!(stdDev > 0)) {
      double fwd = discountedSpot - discountedStrike;
      return Math.max(call ? fwd : -fwd, 0.0);
    }
    double d1 = logMoneyness / stdDev + 0.5 * stdDev;
    double d2 = d1 - stdDev;
    // The put uses N(-d) directly rather than parity, so a deep out-of-the-money put does not
    // come out as the difference of two nearly equal numbers.
    return call
        ? discountedSpot * Normal.cdf(d1) - discountedStrike * Normal.cdf(d2)
        : discountedStrike * Normal.cdf(-d2) - discountedSpot * Normal.cdf(-d1);
  }

  /**
   * The price and Greeks of a European option.
   *
   * @throws IllegalArgumentException as {@link #price}, and when vol or expiry is not positive
   *     (the Greeks have no finite limit there)
   */
  public static Greeks greeks(OptionType type, double spot, double strike, double rate,
      double vol, double expiry, double dividendYield) {
    check(spot, strike, rate, vol, expiry, dividendYield);
    if (vol <= 0) {
      throw new IllegalArgumentException("vol must be positive for Greeks, got " + vol);
    }
    if (expiry <= 0) {
      throw new IllegalArgumentException("expiry must be positive for Greeks, got " + expiry);
    }
    double sqrtT = Math.sqrt(expiry);
    double stdDev = vol * sqrtT;
    double divDiscount = Math.exp(-dividendYield * expiry);
    double discSpot = spot * divDiscount;
    double discStrike = strike * Math.exp(-rate * expiry);
    double d1 = (Math.log(spot / strike) + (rate - dividendYield) * expiry) / stdDev
        + 0.5 * stdDev;
    double d2 = d1 - stdDev;
    double density = Normal.pdf(d1);
    double gamma = divDiscount * density / (spot * stdDev);
    double vega = discSpot * density * sqrtT;
    double decay = -discSpot * density * vol / (2 * sqrtT);
    if (type == OptionType.CALL) {
      double nd1 = Normal.cdf(d1);
      double nd2 = Normal.cdf(d2);
      return new Greeks(discSpot * nd1 - discStrike * nd2, divDiscount * nd1, gamma, vega,
          decay + dividendYield * discSpot * nd1 - rate * discStrike * nd2,
          expiry * discStrike * nd2);
    }
    double nmd1 = Normal.cdf(-d1);
    double nmd2 = Normal.cdf(-d2);
    return new Greeks(discStrike * nmd2 - discSpot * nmd1, -divDiscount * nmd1, gamma, vega,
        decay - dividendYield * discSpot * nmd1 + rate * discStrike * nmd2,
        -expiry * discStrike * nmd2);
  }

  private static void check(double spot, double strike, double rate, double vol, double expiry,
      double dividendYield) {
    if (!(spot > 0) || Double.isInfinite(spot)) {
      throw new IllegalArgumentException("spot must be positive and finite, got " + spot);
    }
    if (!(strike > 0) || Double.isInfinite(strike)) {
      throw new IllegalArgumentException("strike must be positive and finite, got " + strike);
    }
    if (!(vol >= 0) || Double.isInfinite(vol)) {
      throw new IllegalArgumentException("vol must be zero or more and finite, got " + vol);
    }
    if (!(expiry >= 0) || Double.isInfinite(expiry)) {
      throw new IllegalArgumentException("expiry must be zero or more and finite, got " + expiry);
    }
    if (!Double.isFinite(rate) || !Double.isFinite(dividendYield)) {
      throw new IllegalArgumentException("rate and dividendYield must be finite, got " + rate
          + " and " + dividendYield);
    }
  }
}
