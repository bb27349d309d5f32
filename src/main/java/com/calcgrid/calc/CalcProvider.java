package com.calcgrid.calc;

import java.util.List;

/**
 * Service provider interface: a jar lists its implementation in
 * {@code META-INF/services/com.calcgrid.calc.CalcProvider} to contribute functions.
 */
public interface CalcProvider {
  List<CalcFunction> functions();
}
