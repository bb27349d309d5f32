package com.calcgrid.calc.util;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Test tool {@code util.fail}: its first {@code failTimes} attempts throw, later ones return
 * what {@code util.sum} would. It counts attempts as the supervisor numbers them, so it behaves
 * the same after a restart.
 */
public final class Fail implements CalcFunction {
  @Override
  public String name() {
    return "util.fail";
  }

  @Override
  public void validate(JsonNode params) {
    Params.integer(params, "failTimes", 0, 1000);
    new Sum().validate(params);
  }

  @Override
  public JsonNode apply(CalcInput input) {
    long failTimes = Params.integer(input.params(), "failTimes", 0, 1000);
    if (input.attempt() <= failTimes) {
      throw new IllegalStateException("util.fail: attempt " + input.attempt() + " of the "
          + failTimes + " that fail on purpose");
    }
    return Sum.total(input);
  }
}
