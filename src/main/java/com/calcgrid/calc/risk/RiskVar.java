package com.calcgrid.calc.risk;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code risk.var}: historical VaR and expected shortfall of the sum of its dependencies' P&L
 * vectors (summed as {@link RiskAggregate} does), with the conventions of {@link HistoricalVar}:
 * P&L positive is a gain, VaR and ES are positive numbers for a loss, VaR is minus the k-th
 * smallest P&L with k = ceil(n (1 - confidence)), no interpolation.
 *
 * <p>The deps may be the {@code risk.revalue} batches of a book themselves (with the coverage
 * check), so a book's VaR needs no {@code risk.aggregate} task in between; the sum is the same
 * to the last bit either way.
 *
 * <p>Params: {@code confidence} (default 0.99, strictly between 0 and 1), {@code includePnl}
 * (default false), {@code pnlEncoding} of that P&L ({@code numbers} or {@code base64}, see
 * {@link PnlVectors.Encoding}), {@code allowPartial} (default false). Result: {@code
 * {"confidence", "scenarios", "tail", "var", "expectedShortfall", "worst", "worstScenario",
 * "positions", "baseValue"}}, plus {@code "pnl"} when {@code includePnl} is true, so that a
 * firm-wide {@code risk.var} can take the books' {@code risk.var} results as its deps.
 */
public final class RiskVar implements CalcFunction {
  @Override
  public String name() {
    return "risk.var";
  }

  @Override
  public void validate(JsonNode params) {
    Params.allowOnly(params, "", "confidence", "includePnl", "allowPartial",
        PnlVectors.Encoding.PARAM);
    confidence(params);
    Params.bool(params, "includePnl", false);
    PnlVectors.Encoding.of(params);
    Params.bool(params, "allowPartial", false);
  }

  @Override
  public JsonNode apply(CalcInput input) {
    JsonNode params = input.params();
    PnlVectors.Sum sum = PnlVectors.sum(input.deps(), Params.bool(params, "allowPartial", false));
    HistoricalVar.Figures f = HistoricalVar.of(sum.pnl(), confidence(params));
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("confidence", f.confidence());
    out.put("scenarios", f.scenarios());
    out.put("tail", f.tail());
    out.put("var", f.var());
    out.put("expectedShortfall", f.expectedShortfall());
    out.put("worst", f.worst());
    out.put("worstScenario", f.worstScenario());
    RiskAggregate.putTotals(out, sum);
    if (Params.bool(params, "includePnl", false)) {
      PnlVectors.put(out, sum.pnl(), PnlVectors.Encoding.of(params));
    }
    return out;
  }

  private static double confidence(JsonNode params) {
    double c = Params.number(params, "confidence", 0.99);
    if (!(c > 0 && c < 1)) {
      throw new IllegalArgumentException("param 'confidence' must be between 0 and 1 "
          + "(exclusive), got " + c);
    }
    return c;
  }
}
