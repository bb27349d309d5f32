package com.calcgrid.graph;

import java.util.Collection;

/** Formatting for problem messages: values from the posted document are shown short. */
final class Text {
  private static final int MAX_SHOWN = 60;

  private Text() {}

  static String clip(String s) {
    return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN - 3) + "...";
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
