package com.calcgrid.graph;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dependency as written in {@code deps}: a template id, optionally with one expansion index
 * ({@code px} or {@code px[3]}). Ids cannot contain brackets, so the split is unambiguous.
 *
 * @param template the template id
 * @param index the expansion index, or {@link #ALL} for every expansion (or the single task)
 */
record TaskRef(String template, long index) {
  static final long ALL = -1;

  static final int MAX_ID_LENGTH = 128;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:\\-]{1,128}");
  // No sign, no leading zeros: each expansion has exactly one spelling.
  private static final Pattern REF =
      Pattern.compile("([A-Za-z0-9_.:\\-]{1,128})(?:\\[(0|[1-9][0-9]{0,9})])?");

  static boolean isValidId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** The reference, or null if {@code dep} is not {@code id} or {@code id[index]}. */
  static TaskRef parse(String dep) {
    if (dep == null) {
      return null;
    }
    Matcher m = REF.matcher(dep);
    if (!m.matches()) {
      return null;
    }
    return new TaskRef(m.group(1), m.group(2) == null ? ALL : Long.parseLong(m.group(2)));
  }

  boolean all() {
    return index == ALL;
  }
}
