package com.calcgrid.loadtest;

import com.calcgrid.calc.FunctionRegistry;
import java.util.List;

/**
 * The end-of-day risk graph: 10,000 options under 250 scenarios, revalued in batches, VaR per
 * book, against a plain parallel run of the same maths in one JVM. It needs the risk functions
 * (risk.portfolio, risk.revalue, risk.aggregate, risk.var, bs.price).
 */
final class Eod {
  static final List<String> NEEDED = List.of("risk.portfolio", "risk.revalue", "risk.aggregate",
      "risk.var", "bs.price");

  private Eod() {}

  static void run(Bench bench) {
    FunctionRegistry functions = FunctionRegistry.load();
    List<String> missing = NEEDED.stream().filter(f -> functions.find(f).isEmpty()).toList();
    if (!missing.isEmpty()) {
      bench.add(Row.notRun("EOD risk 10k options x 250 scenarios", "<= 2 x plain parallel run, "
          + "same numbers", "functions missing (" + String.join(", ", missing) + ")"));
    }
  }
}
