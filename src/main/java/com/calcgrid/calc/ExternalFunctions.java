package com.calcgrid.calc;

import com.calcgrid.pull.Serves;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Functions served outside the JVM, by external workers connected to a gateway
 * ({@code calcgrid.external-functions}, {@code CALCGRID_EXTERNAL_FUNCTIONS}): names and
 * {@code prefix.*} patterns. A graph may name them although no provider on the classpath has
 * them; their tasks wait READY until a worker that serves them connects. An external worker may
 * declare only functions listed here, so it can never take the tasks of a built-in function.
 */
public record ExternalFunctions(List<String> patterns) {
  private static final Pattern ENTRY =
      Pattern.compile("[A-Za-z][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*(\\.\\*)?");

  public static final ExternalFunctions NONE = new ExternalFunctions(List.of());

  public ExternalFunctions {
    patterns = List.copyOf(patterns);
  }

  /**
   * Parses the comma-separated setting.
   *
   * @throws IllegalArgumentException naming an entry that is neither a name nor a pattern
   */
  public static ExternalFunctions parse(String setting) {
    List<String> out = new ArrayList<>();
    for (String part : setting.split(",")) {
      String p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      if (p.length() > 128 || !ENTRY.matcher(p).matches()) {
        throw new IllegalArgumentException("calcgrid.external-functions"
            + " (CALCGRID_EXTERNAL_FUNCTIONS): '" + p + "' is neither a function name nor a"
            + " 'prefix.*' pattern");
      }
      out.add(p);
    }
    return new ExternalFunctions(out);
  }

  /** True when a worker outside the JVM may serve {@code fn}. */
  public boolean matches(String fn) {
    for (String p : patterns) {
      if (Serves.matches(p, fn)) {
        return true;
      }
    }
    return false;
  }

  /**
   * @throws IllegalArgumentException when a function of the JVM is also listed as external:
   *     which of the two would run its tasks is not something to leave to chance
   */
  public void checkAgainst(FunctionRegistry jvm) {
    List<String> both = jvm.names().stream().filter(this::matches).toList();
    if (!both.isEmpty()) {
      throw new IllegalArgumentException("calcgrid.external-functions"
          + " (CALCGRID_EXTERNAL_FUNCTIONS) lists function(s) this node also provides in the"
          + " JVM: " + String.join(", ", both) + "; a function is served in one place only");
    }
  }
}
