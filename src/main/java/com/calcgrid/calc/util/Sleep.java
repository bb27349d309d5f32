package com.calcgrid.calc.util;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * Test tool {@code util.sleep}: waits {@code ms} milliseconds, then returns {@code value} (null
 * when absent). The wait ends early, failing the attempt, when the task is interrupted.
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
  }

  @Override
  public JsonNode apply(CalcInput input) throws InterruptedException {
    Thread.sleep(Params.integer(input.params(), "ms", 0, MAX_MS));
    return valueOf(input);
  }

  static JsonNode valueOf(CalcInput input) {
    JsonNode value = input.params().get("value");
    return value == null ? NullNode.instance : value;
  }
}
