package com.calcgrid.calc.risk;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code risk.aggregate}: the element-wise sum of its dependencies' P&L vectors (see {@link
 * PnlVectors} for what counts and the batch coverage check).
 *
 * <p>Params: {@code allowPartial} (default false), {@code pnlEncoding} ({@code numbers}, the
 * default, or {@code base64}: see {@link PnlVectors.Encoding}). Result: {@code {"positions",
 * "baseValue", "pnl"}}, positions and baseValue null when no dep reported them.
 */
public final class RiskAggregate implements CalcFunction {
  @Override
  public String name() {
    return "risk.aggregate";
  }

  @Override
  public void validate(JsonNode params) {
    Params.allowOnly(params, "", "allowPartial", PnlVectors.Encoding.PARAM);
    Params.bool(params, "allowPartial", false);
    PnlVectors.Encoding.of(params);
  }

  @Override
  public JsonNode apply(CalcInput input) {
    PnlVectors.Sum sum = PnlVectors.sum(input.deps(),
        Params.bool(input.params(), "allowPartial", false));
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    putTotals(out, sum);
    PnlVectors.put(out, sum.pnl(), PnlVectors.Encoding.of(input.params()));
    return out;
  }

  static void putTotals(ObjectNode out, PnlVectors.Sum sum) {
    if (sum.positions() == null) {
      out.putNull("positions");
    } else {
      out.put("positions", sum.positions());
    }
    if (sum.baseValue() == null) {
      out.putNull("baseValue");
    } else {
      out.put("baseValue", sum.baseValue());
    }
  }
}
