package com.calcgrid.graph;

import java.util.Collection;

/** Formatting for problem messages: values from the posted document are shown short. */
final class Text {
  private static final int MAX_SHOWN = 60;

  private Text() {}

  /**
   * At most 60 characters of {@code s}, cut between code points, with any unpaired surrogate
   * shown as U+FFFD: a message must be valid Unicode whatever the document held.
   */
  static String clip(String s) {
    String shown = s;
    if (s.length() > MAX_SHOWN) {
      int end = MAX_SHOWN - 3;
      if (Character.isHighSurrogate(s.charAt(end - 1)) && Character.isLowSurrogate(s.charAt(end))) {
        end--;
      }
      shown = s.substring(0, end) + "...";
    }
    return unpairedSurrogate(shown) < 0 ? shown : wellFormed(shown);
  }

  /** The index of the first unpaired UTF-16 surrogate in {@code s}, or -1. */
  static int unpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /** {@code s} with each unpaired surrogate replaced by U+FFFD. */
  static String wellFormed(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(++i));
      } else {
        b.append(Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    return b.toString();
  }

  /** {@code "value"} with JSON's escapes, for a key that is not a plain name. */
  static String jsonQuote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** {@code 'value'}, clipped. */
  static String quote(String s) {
    return "'" + clip(s) + "'";
  }

  /**
   * The candidate closest to {@code target} by edit distance, if it is close enough to be a
   * likely typo; null otherwise. Skipped when comparing against every candidate would cost more
   * than a couple of milliseconds: a hint is not worth slowing down a large graph.
   */
  static String closest(String target, Collection<String> candidates) {
    if ((long) candidates.size() * target.length() * target.length() > 2_000_000) {
      return null;
    }
    int limit = Math.max(1, target.length() / 3);
    String best = null;
    int bestDistance = limit + 1;
    for (String candidate : candidates) {
      if (Math.abs(candidate.length() - target.length()) >= bestDistance) {
        continue;
      }
      int d = distance(target, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  /**
   * Edits (insert, delete, replace, swap two neighbours) that turn a into b: the optimal string
   * alignment distance, so the common typo "nmae" is one edit from "name".
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
