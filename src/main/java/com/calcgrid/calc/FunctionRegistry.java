package com.calcgrid.calc;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every function this node can run, gathered once at start from each {@link CalcProvider} on the
 * classpath. Two providers claiming one name is a deployment error and stops the node.
 */
public final class FunctionRegistry {
  private final Map<String, CalcFunction> byName;

  private FunctionRegistry(Map<String, CalcFunction> byName) {
    this.byName = Collections.unmodifiableMap(byName);
  }

  /** Loads every provider visible to this class's class loader. */
  public static FunctionRegistry load() {
    return of(ServiceLoader.load(CalcProvider.class, FunctionRegistry.class.getClassLoader())
        .stream().map(ServiceLoader.Provider::get).toList());
  }

  /** A registry of exactly these providers. */
  public static FunctionRegistry of(List<? extends CalcProvider> providers) {
    Map<String, CalcFunction> byName = new TreeMap<>();
    for (CalcProvider provider : providers) {
      for (CalcFunction fn : provider.functions()) {
        CalcFunction previous = byName.putIfAbsent(fn.name(), fn);
        if (previous != null) {
          throw new IllegalStateException("function '" + fn.name() + "' is provided twice: by "
              + previous.getClass().getName() + " and " + fn.getClass().getName());
        }
      }
    }
    return new FunctionRegistry(byName);
  }

  public Optional<CalcFunction> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Function names in alphabetical order. */
  public Set<String> names() {
    return byName.keySet();
  }
}
