package com.calcgrid.calc.util;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.Params;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;

/**
 * Test tool {@code util.sum}: {@code params.value} (default 0) plus the sum of the numeric
 * results of its deps; non-numeric dep results are ignored. With {@code params.field} it adds
 * that numeric field of object results instead. Whole numbers stay whole.
 */
public final class Sum implements CalcFunction {
  @Override
  public String name() {
    return "util.sum";
  }

  @Override
  public void validate(JsonNode params) {
    Params.number(params, "value", 0);
    field(params);
  }

  /** {@code params.field}: which numeric field of object dep results to add, or null. */
  static String field(JsonNode params) {
    JsonNode f = params.get("field");
    if (Params.isAbsent(f)) {
      return null;
    }
    if (!f.isTextual() || f.textValue().isEmpty()) {
      throw new IllegalArgumentException("param 'field' must be a non-empty string, got "
          + Params.describe(f));
    }
    return f.textValue();
  }

  @Override
  public JsonNode apply(CalcInput input) {
    return total(input);
  }

  /**
   * {@code params.value} plus the numeric dep results (or, with {@code params.field}, that
   * numeric field of object results, e.g. {@code price} of {@code bs.price}): what every util
   * function returns.
   */
  static JsonNode total(CalcInput input) {
    String field = field(input.params());
    JsonNode value = input.params().get("value");
    boolean whole = value == null || value.isNull() || value.isIntegralNumber();
    long longSum = whole && value != null && !value.isNull() ? value.longValue() : 0;
    double sum = Params.number(input.params(), "value", 0);
    for (JsonNode result : input.deps().values()) {
      JsonNode dep = field != null && result != null && result.isObject()
          ? result.get(field) : result;
      if (dep != null && dep.isNumber()) {
        whole &= dep.isIntegralNumber();
        longSum += dep.longValue();
        sum += dep.doubleValue();
      }
    }
    return whole ? LongNode.valueOf(longSum) : DoubleNode.valueOf(sum);
  }
}
