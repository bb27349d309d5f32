package com.calcgrid.calc.risk;

import com.calcgrid.calc.Params;
import com.calcgrid.calc.pricing.OptionType;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic made-up portfolio of {@code trades} European options on {@code underlyings}
 * names {@code U0}, {@code U1}, ..., spread over {@code books} books.
 *
 * <p>Trade {@code i} has id {@code T<i>} and book {@code BOOK-<i % books>}; everything else comes
 * from a {@link SplittableRandom} seeded with {@link Seeds#mix}(seed, i), so any range of trades
 * is generated alone and equals the same range of the whole, on any node. From that stream, in
 * order: the underlying (uniform), call or put (even odds), the expiry (uniform among 1, 2, 3,
 * 6 and 9 months, 1, 1.5, 2 and 3 years), the strike (the underlying's synthetic spot times a
 * moneyness uniform in [0.7, 1.3], rounded to a listed-strike step: 0.5 below 25, 1 below 100,
 * 2.5 below 250, else 5), and the quantity (10 to 1,000 in lots of 10, short with odds 0.45).
 *
 * <p>The synthetic market of underlying {@code u}, used for strikes and by {@code {"synthetic":
 * true}} markets, uses the hashes h_k = {@link Seeds#mix}(seed, -1 - 3u - k) and their units
 * x_k = (h_k >>> 11) / 2^53: spot = 20 + 480 x_0 rounded to cents, vol = 0.12 + 0.38 x_1 rounded
 * to 4 decimals, dividendYield = 0.04 x_2 rounded to 4 decimals.
 *
 * @param seed any integer
 */
public record SyntheticPortfolio(long trades, int books, int underlyings, long seed)
    implements PortfolioSource {
  static final long MAX_TRADES = 100_000_000L;
  static final int MAX_BOOKS = 10_000;
  static final int MAX_UNDERLYINGS = 10_000;
  private static final double[] TENORS =
      {1.0 / 12, 2.0 / 12, 3.0 / 12, 6.0 / 12, 9.0 / 12, 1.0, 1.5, 2.0, 3.0};
  private static final String BOOK = "BOOK-";

  static SyntheticPortfolio parse(JsonNode value, String path) {
    JsonNode v = Params.asObject(value, path);
    Params.allowOnly(v, path, "trades", "books", "underlyings", "seed");
    return new SyntheticPortfolio(
        Params.asInteger(v.get("trades"), path + ".trades", 1, MAX_TRADES),
        (int) Params.asInteger(v.get("books"), path + ".books", 1, MAX_BOOKS),
        (int) Params.asInteger(v.get("underlyings"), path + ".underlyings", 1, MAX_UNDERLYINGS),
        Params.asInteger(v.get("seed"), path + ".seed", Long.MIN_VALUE, Long.MAX_VALUE));
  }

  @Override
  public void checkBook(String book, String path) {
    if (bookIndex(book) < 0) {
      throw new IllegalArgumentException("param '" + path + "' must name a book of the synthetic"
          + " portfolio, BOOK-0 to BOOK-" + (books - 1) + ", got '" + book + "'");
    }
  }

  @Override
  public Slice slice(String book, long from, long to) {
    int k = book == null ? -1 : bookIndex(book);
    if (book != null && k < 0) {
      checkBook(book, "book");
    }
    long count = book == null ? trades : bookSize(k);
    long first = Math.max(0, from);
    long end = Math.min(to, count);
    Portfolio out = Portfolio.withCapacity((int) Math.max(0, end - first));
    for (long j = first; j < end; j++) {
      // a book's j-th trade is trade k + j * books
      addTrade(book == null ? j : k + j * books, out);
    }
    return new Slice(out, count);
  }

  @Override
  public Summary summary() {
    Map<String, Long> perBook = new LinkedHashMap<>();
    for (int k = 0; k < books && k < trades; k++) {
      perBook.put(BOOK + k, bookSize(k));
    }
    List<String> names = new ArrayList<>();
    for (int u = 0; u < underlyings; u++) {
      names.add("U" + u);
    }
    return new Summary(trades, perBook, names);
  }

  /** Trades in book {@code k}: those whose index is k modulo books. */
  long bookSize(int k) {
    return trades / books + (k < trades % books ? 1 : 0);
  }

  private int bookIndex(String book) {
    if (!book.startsWith(BOOK) || book.length() > BOOK.length() + 5) {
      return -1;
    }
    String digits = book.substring(BOOK.length());
    if (!digits.matches("0|[1-9][0-9]*")) {
      return -1;
    }
    int k = Integer.parseInt(digits);
    return k < books && k < trades ? k : -1;
  }

  private void addTrade(long i, Portfolio out) {
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, i));
    // Only nextLong, whose SplitMix64 output is fixed: bounded helpers could change with the JDK.
    int u = (int) (Seeds.unit(rng.nextLong()) * underlyings);
    OptionType type = Seeds.unit(rng.nextLong()) < 0.5 ? OptionType.CALL : OptionType.PUT;
    double expiry = TENORS[(int) (Seeds.unit(rng.nextLong()) * TENORS.length)];
    double spot = spot(seed, u);
    double moneyness = 0.7 + 0.6 * Seeds.unit(rng.nextLong());
    double step = spot < 25 ? 0.5 : spot < 100 ? 1 : spot < 250 ? 2.5 : 5;
    double strike = Math.max(step, Math.round(spot * moneyness / step) * step);
    double lots = 1 + (int) (Seeds.unit(rng.nextLong()) * 100);
    double quantity = lots * 10 * (Seeds.unit(rng.nextLong()) < 0.45 ? -1 : 1);
    out.add("T" + i, BOOK + (i % books), "U" + u, type, strike, expiry, quantity);
  }

  /** Synthetic spot of underlying {@code u}: 20 to 500, in cents. */
  static double spot(long seed, int u) {
    return Math.round((20 + 480 * Seeds.unit(Seeds.mix(seed, -1L - 3L * u))) * 100) / 100.0;
  }

  /** Synthetic volatility of underlying {@code u}: 0.12 to 0.50. */
  static double vol(long seed, int u) {
    return Math.round((0.12 + 0.38 * Seeds.unit(Seeds.mix(seed, -2L - 3L * u))) * 1e4) / 1e4;
  }

  /** Synthetic dividend yield of underlying {@code u}: 0 to 0.04. */
  static double dividendYield(long seed, int u) {
    return Math.round(0.04 * Seeds.unit(Seeds.mix(seed, -3L - 3L * u)) * 1e4) / 1e4;
  }
}
