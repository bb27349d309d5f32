package com.calcgrid.calc.util;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Test tool {@code util.sleep}: waits {@code ms} milliseconds, then returns what {@code util.sum}
 * would. With {@code attempts} set, only the first that many attempts wait, so a hang followed by
 * a successful retry can be staged. The wait ends early, failing the attempt, when the task is
 * interrupted.
 */
public final class Sleep implements CalcFunction {
  static final long MAX_MS = 86_400_000L;

  @Override
  public String name() {
    return "util.sleep";
  }

  @Override
  public void validate(JsonNode params) {
    Params.integer(params, "ms", 0, MAX_MS);
    Params.integer(params, "attempts", Integer.MAX_VALUE, 0, Integer.MAX_VALUE);
    new Sum().validate(params);
  }

  @Override
  public JsonNode apply(CalcInput input) throws InterruptedException {
    if (input.attempt() <= Params.integer(input.params(), "attempts", Integer.MAX_VALUE, 0,
        Integer.MAX_VALUE)) {
      Thread.sleep(Params.integer(input.params(), "ms", 0, MAX_MS));
    }
    return Sum.total(input);
  }
}
