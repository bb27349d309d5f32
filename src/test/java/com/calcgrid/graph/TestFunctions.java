package com.calcgrid.graph;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.CalcProvider;
import com.calcgrid.calc.FunctionRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.List;

/** Functions for graph tests only: {@code t.noop} accepts anything, {@code t.needsX} a number x. */
final class TestFunctions implements CalcProvider {
  static final FunctionRegistry REGISTRY = FunctionRegistry.of(List.of(new TestFunctions()));

  @Override
  public List<CalcFunction> functions() {
    return List.of(new Noop(), new NeedsX());
  }

  private static final class Noop implements CalcFunction {
    @Override
    public String name() {
      return "t.noop";
    }

    @Override
    public JsonNode apply(CalcInput input) {
      return NullNode.instance;
    }
  }

  private static final class NeedsX implements CalcFunction {
    @Override
    public String name() {
      return "t.needsX";
    }

    @Override
    public void validate(JsonNode params) {
      if (!params.path("x").isNumber()) {
        throw new IllegalArgumentException("param 'x' must be a number, got " + params.get("x"));
      }
    }

    @Override
    public JsonNode apply(CalcInput input) {
      return input.params().get("x");
    }
  }
}
