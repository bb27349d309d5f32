package com.calcgrid.calc.pricing;

import java.util.Locale;

/** Call or put: the two European payoffs, max(S - K, 0) and max(K - S, 0). */
public enum OptionType {
  CALL,
  PUT;

  /** {@code call} or {@code put}, as graphs and portfolio files spell them (any case). */
  public static OptionType parse(String text) {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "call":
        return CALL;
      case "put":
        return PUT;
      default:
        throw new IllegalArgumentException("must be call or put, got '" + text + "'");
    }
  }

  /** The lower-case name used in JSON and CSV. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
