package com.calcgrid.calc.pricing;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code bs.price}: the Black-Scholes-Merton price and Greeks of one European option.
 *
 * <p>Params: {@code type} (call or put), {@code spot} and {@code strike} (positive), {@code
 * rate}, {@code vol} (positive), {@code expiry} in years (positive), {@code dividendYield}
 * (default 0). Result: {@code {"price", "delta", "gamma", "vega", "theta", "rho"}} with the
 * units of {@link Greeks}. Dependencies are ignored.
 */
public final class BsPrice implements CalcFunction {
  /** Unknown params are errors: a misspelt {@code dividendYeld} must not silently price at 0. */
  private static final String[] PARAMS =
      {"type", "spot", "strike", "rate", "vol", "expiry", "dividendYield"};

  @Override
  public String name() {
    return "bs.price";
  }

  @Override
  public void validate(JsonNode params) {
    read(params);
  }

  @Override
  public JsonNode apply(CalcInput input) {
    Greeks g = read(input.params());
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("price", g.price());
    out.put("delta", g.delta());
    out.put("gamma", g.gamma());
    out.put("vega", g.vega());
    out.put("theta", g.theta());
    out.put("rho", g.rho());
    return out;
  }

  /** Checks every param, naming the first bad one, and prices. Pricing is cheap enough. */
  private static Greeks read(JsonNode params) {
    Params.allowOnly(params, "", PARAMS);
    OptionType type = OptionType.parse(Params.oneOf(params, "type", "call", "put"));
    double spot = Params.positive(params, "spot");
    double strike = Params.positive(params, "strike");
    double rate = Params.asNumber(params.get("rate"), "rate", -1, 1);
    double vol = Params.positive(params, "vol");
    if (vol > 10) {
      throw new IllegalArgumentException("param 'vol' must be at most 10 (1000%), got " + vol);
    }
    double expiry = Params.positive(params, "expiry");
    if (expiry > 100) {
      throw new IllegalArgumentException("param 'expiry' must be at most 100 years, got "
          + expiry);
    }
    double dividendYield = Params.isAbsent(params.get("dividendYield")) ? 0
        : Params.asNumber(params.get("dividendYield"), "dividendYield", -1, 1);
    return BlackScholes.greeks(type, spot, strike, rate, vol, expiry, dividendYield);
  }
}
