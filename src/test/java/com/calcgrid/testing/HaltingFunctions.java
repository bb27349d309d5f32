package com.calcgrid.testing;

import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.CalcProvider;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Test only, on the classpath of nodes that tests start: {@code test.halt} stops the node's JVM
 * at once ({@code Runtime.halt}, as a native crash or an out-of-memory kill would). A test that
 * needs something to happen first orders it by dependencies, not by time. It exists only in a node whose environment sets
 * {@code CALCGRID_TEST_HALT_FUNCTION=on}, so no other test's node offers it; the product never
 * ships it.
 */
public final class HaltingFunctions implements CalcProvider {
  public static final String ENV = "CALCGRID_TEST_HALT_FUNCTION";

  @Override
  public List<CalcFunction> functions() {
    return "on".equals(System.getenv(ENV)) ? List.of(new Halt()) : List.of();
  }

  private static final class Halt implements CalcFunction {
    @Override
    public String name() {
      return "test.halt";
    }

    @Override
    public JsonNode apply(CalcInput input) {
      Runtime.getRuntime().halt(1);
      throw new IllegalStateException("unreachable");
    }
  }
}
