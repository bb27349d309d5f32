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
  private final ExternalFunctions external;

  private FunctionRegistry(Map<String, CalcFunction> byName, ExternalFunctions external) {
    this.byName = Collections.unmodifiableMap(byName);
    this.external = external;
  }

  /**
   * This registry, with functions served outside the JVM as well.
   *
   * @throws IllegalArgumentException when one of them is also provided here
   */
  public FunctionRegistry withExternal(ExternalFunctions external) {
    external.checkAgainst(this);
    return new FunctionRegistry(byName, external);
  }

  /** Functions served by external workers (none unless {@link #withExternal}). */
  public ExternalFunctions external() {
    return external;
  }

  /** True when {@code name} is not in the JVM but an external worker may serve it. */
  public boolean isExternal(String name) {
    return !byName.containsKey(name) && external.matches(name);
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
    return new FunctionRegistry(byName, ExternalFunctions.NONE);
  }

  public Optional<CalcFunction> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Function names in alphabetical order. */
  public Set<String> names() {
    return byName.keySet();
  }
}
