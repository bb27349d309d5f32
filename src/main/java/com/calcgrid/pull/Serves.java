package com.calcgrid.pull;

import com.calcgrid.CborSerializable;
import java.util.List;

/**
 * Which functions a worker runs, sent with each of its offers so that a supervisor hands it
 * only tasks it can run. The in-JVM worker serves every function but those served outside the
 * JVM ({@link #allExcept}); an external worker serves exactly the names it declared
 * ({@link #only}).
 *
 * @param names the functions served, or null for every function not {@code excluded}
 * @param excluded names and {@code prefix.*} patterns never served; empty when {@code names}
 *     is given
 */
public record Serves(List<String> names, List<String> excluded) implements CborSerializable {

  /** Every function. */
  public static final Serves ALL = new Serves(null, List.of());

  public Serves {
    names = names == null ? null : List.copyOf(names);
    excluded = excluded == null ? List.of() : List.copyOf(excluded);
  }

  /** Every function except these names and {@code prefix.*} patterns. */
  public static Serves allExcept(List<String> patterns) {
    return patterns.isEmpty() ? ALL : new Serves(null, patterns);
  }

  /** Exactly these functions. */
  public static Serves only(List<String> names) {
    return new Serves(names, List.of());
  }

  /** True when nothing is left out: a supervisor need not look at functions at all. */
  public boolean everything() {
    return names == null && excluded.isEmpty();
  }

  public boolean serves(String fn) {
    if (names != null) {
      return names.contains(fn);
    }
    for (String pattern : excluded) {
      if (matches(pattern, fn)) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code prefix.*} matches every name that starts with {@code prefix.}; anything else matches
   * itself only. A name {@code fn@version} also matches what {@code fn} matches.
   */
  public static boolean matches(String pattern, String fn) {
    String name = fn.indexOf('@') >= 0 ? fn.substring(0, fn.indexOf('@')) : fn;
    if (pattern.endsWith(".*")) {
      return name.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    return pattern.equals(fn) || pattern.equals(name);
  }
}
