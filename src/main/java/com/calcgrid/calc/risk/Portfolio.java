package com.calcgrid.calc.risk;

import com.calcgrid.calc.pricing.OptionType;
import java.util.Arrays;

/**
 * European option positions as parallel primitive arrays, in trade order: the revaluation loop
 * reads them without touching an object per trade.
 *
 * <p>Expiry is in years from the valuation date; quantity is in units of underlying, negative
 * for a short position.
 */
public final class Portfolio {
  private final String[] ids;
  private final String[] books;
  private final String[] underlyings;
  private final boolean[] calls;
  private final double[] strikes;
  private final double[] expiries;
  private final double[] quantities;
  private int size;

  private Portfolio(int capacity) {
    ids = new String[capacity];
    books = new String[capacity];
    underlyings = new String[capacity];
    calls = new boolean[capacity];
    strikes = new double[capacity];
    expiries = new double[capacity];
    quantities = new double[capacity];
  }

  /** An empty portfolio with room for {@code capacity} positions. */
  public static Portfolio withCapacity(int capacity) {
    return new Portfolio(capacity);
  }

  /** Appends a position; the caller has checked the values. */
  public Portfolio add(String id, String book, String underlying, OptionType type, double strike,
      double expiry, double quantity) {
    ids[size] = id;
    books[size] = book;
    underlyings[size] = underlying;
    calls[size] = type == OptionType.CALL;
    strikes[size] = strike;
    expiries[size] = expiry;
    quantities[size] = quantity;
    size++;
    return this;
  }

  /** The positions of {@code indices}, in that order. */
  Portfolio select(int[] indices, int from, int to) {
    Portfolio out = new Portfolio(Math.max(0, to - from));
    for (int k = from; k < to; k++) {
      int i = indices[k];
      out.add(ids[i], books[i], underlyings[i], type(i), strikes[i], expiries[i], quantities[i]);
    }
    return out;
  }

  public int size() {
    return size;
  }

  public String id(int i) {
    return ids[i];
  }

  public String book(int i) {
    return books[i];
  }

  public String underlying(int i) {
    return underlyings[i];
  }

  public OptionType type(int i) {
    return calls[i] ? OptionType.CALL : OptionType.PUT;
  }

  public boolean isCall(int i) {
    return calls[i];
  }

  public double strike(int i) {
    return strikes[i];
  }

  public double expiry(int i) {
    return expiries[i];
  }

  public double quantity(int i) {
    return quantities[i];
  }

  /** Same positions in the same order, field by field. */
  public boolean sameAs(Portfolio other) {
    return size == other.size
        && Arrays.equals(ids, 0, size, other.ids, 0, size)
        && Arrays.equals(books, 0, size, other.books, 0, size)
        && Arrays.equals(underlyings, 0, size, other.underlyings, 0, size)
        && Arrays.equals(calls, 0, size, other.calls, 0, size)
        && Arrays.equals(strikes, 0, size, other.strikes, 0, size)
        && Arrays.equals(expiries, 0, size, other.expiries, 0, size)
        && Arrays.equals(quantities, 0, size, other.quantities, 0, size);
  }
}
