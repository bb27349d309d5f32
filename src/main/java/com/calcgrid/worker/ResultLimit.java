package com.calcgrid.worker;

/**
 * The size check of a task's result, made on the worker right after the result is written as
 * JSON: a result over the limit is never sent, stored or handed to a dependent. The failure is
 * permanent (another attempt computes the same result), so it is not retried.
 */
public final class ResultLimit {
  private ResultLimit() {}

  /**
   * @param declared the template's {@code maxResultBytes}, 0 when it declares none
   * @param node calcgrid.limits.max-result-bytes
   * @return null when the result fits, otherwise the task's error
   */
  public static String check(String json, long declared, long node) {
    long limit = declared > 0 ? Math.min(declared, node) : node;
    // a char is 1 to 3 bytes of UTF-8: count exactly only when it could matter
    if (json.length() * 3L <= limit) {
      return null;
    }
    long bytes = utf8Length(json);
    if (bytes <= limit) {
      return null;
    }
    String which = declared > 0 && declared <= node
        ? "the task's maxResultBytes (" + declared + ")"
        : "this node's limit of " + node + " bytes (calcgrid.limits.max-result-bytes,"
            + " CALCGRID_MAX_RESULT_BYTES)";
    return "the result is " + bytes + " bytes of JSON, more than " + which
        + "; it was discarded and the task is not retried. Return less (an aggregate, or a"
        + " summary with the detail in a store the task writes to), or raise the limit";
  }

  public static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
