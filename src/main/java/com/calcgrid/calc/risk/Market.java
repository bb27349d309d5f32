package com.calcgrid.calc.risk;

import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Market data for a revaluation: one risk-free {@code rate} and, per underlying, spot, vol and
 * dividend yield, held in arrays indexed by underlying.
 *
 * <p>JSON: {@code {"rate": 0.03, "underlyings": {"U0": {"spot": 100, "vol": 0.2,
 * "dividendYield": 0}, ...}}}, or {@code {"rate": 0.03, "synthetic": true}} for a synthetic
 * portfolio: the spots, vols and dividend yields documented on {@link SyntheticPortfolio}.
 */
public final class Market {
  static final int MAX_UNDERLYINGS = 100_000;

  private final double rate;
  private final Map<String, Integer> index;
  private final double[] spots;
  private final double[] vols;
  private final double[] dividendYields;

  private Market(double rate, int n) {
    this.rate = rate;
    this.index = new HashMap<>(n * 2);
    this.spots = new double[n];
    this.vols = new double[n];
    this.dividendYields = new double[n];
  }

  /** A market with one underlying per entry of the arrays, for callers outside JSON. */
  public static Market of(double rate, String[] names, double[] spots, double[] vols,
      double[] dividendYields) {
    Market m = new Market(rate, names.length);
    for (int u = 0; u < names.length; u++) {
      m.set(u, names[u], spots[u], vols[u], dividendYields[u]);
    }
    return m;
  }

  /**
   * Reads and checks a market param. Cheap for every shape (a synthetic market is a few hashes
   * per underlying), so {@code validate()} calls it too.
   *
   * @param portfolio the portfolio the market is for: a synthetic market needs a synthetic one
   */
  public static Market parse(JsonNode value, String path, PortfolioSource portfolio) {
    JsonNode v = Params.asObject(value, path);
    Params.allowOnly(v, path, "rate", "underlyings", "synthetic");
    double rate = Params.asNumber(v.get("rate"), path + ".rate", -1, 1);
    boolean synthetic = !Params.isAbsent(v.get("synthetic"));
    if (synthetic == !Params.isAbsent(v.get("underlyings"))) {
      throw new IllegalArgumentException("param '" + path
          + "' must have exactly one of 'underlyings' or 'synthetic'");
    }
    if (synthetic) {
      if (!v.get("synthetic").isBoolean() || !v.get("synthetic").booleanValue()) {
        throw new IllegalArgumentException("param '" + path + ".synthetic' must be true, got "
            + Params.describe(v.get("synthetic")));
      }
      if (!(portfolio instanceof SyntheticPortfolio s)) {
        throw new IllegalArgumentException("param '" + path + ".synthetic' needs a synthetic "
            + "portfolio; give 'underlyings' for a portfolio file");
      }
      return synthetic(rate, s);
    }
    JsonNode all = Params.asObject(v.get("underlyings"), path + ".underlyings");
    if (all.size() == 0 || all.size() > MAX_UNDERLYINGS) {
      throw new IllegalArgumentException("param '" + path + ".underlyings' must have 1 to "
          + MAX_UNDERLYINGS + " entries, got " + all.size());
    }
    Market m = new Market(rate, all.size());
    int u = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); u++) {
      Map.Entry<String, JsonNode> e = it.next();
      String at = path + ".underlyings." + e.getKey();
      JsonNode data = Params.asObject(e.getValue(), at);
      Params.allowOnly(data, at, "spot", "vol", "dividendYield");
      double spot = Params.asPositive(data.get("spot"), at + ".spot");
      double vol = Params.asNumber(data.get("vol"), at + ".vol", 0, 10);
      double q = Params.isAbsent(data.get("dividendYield")) ? 0
          : Params.asNumber(data.get("dividendYield"), at + ".dividendYield", -1, 1);
      m.set(u, e.getKey(), spot, vol, q);
    }
    return m;
  }

  /** The synthetic market of {@code portfolio}'s underlyings U0, U1, ... */
  public static Market synthetic(double rate, SyntheticPortfolio portfolio) {
    int n = portfolio.underlyings();
    Market m = new Market(rate, n);
    for (int u = 0; u < n; u++) {
      long seed = portfolio.seed();
      m.set(u, "U" + u, SyntheticPortfolio.spot(seed, u), SyntheticPortfolio.vol(seed, u),
          SyntheticPortfolio.dividendYield(seed, u));
    }
    return m;
  }

  private void set(int u, String name, double spot, double vol, double dividendYield) {
    index.put(name, u);
    spots[u] = spot;
    vols[u] = vol;
    dividendYields[u] = dividendYield;
  }

  public double rate() {
    return rate;
  }

  /** The index of {@code underlying}, or -1 when this market has no data for it. */
  public int indexOf(String underlying) {
    Integer u = index.get(underlying);
    return u == null ? -1 : u;
  }

  public double spot(int u) {
    return spots[u];
  }

  public double vol(int u) {
    return vols[u];
  }

  public double dividendYield(int u) {
    return dividendYields[u];
  }
}
