package com.calcgrid.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds dependency cycles between templates. Graphs may have 100,000 templates in one chain, so
 * nothing here recurses: Kahn's algorithm removes every template that can run, and each cycle
 * is then found by walking from a leftover template.
 */
final class CycleFinder {
  private CycleFinder() {}

  /**
   * Cycles in {@code deps} (template to the templates it depends on), each as template indices
   * where every one depends on the next and the last on the first, starting from its lowest
   * index. At most {@code max} cycles; none share a template.
   */
  static List<int[]> find(int[][] deps, int max) {
    int n = deps.length;
    int[] pending = new int[n];
    int[] revStart = new int[n + 1];
    for (int t = 0; t < n; t++) {
      pending[t] = deps[t].length;
      for (int d : deps[t]) {
        revStart[d + 1]++;
      }
    }
    for (int t = 0; t < n; t++) {
      revStart[t + 1] += revStart[t];
    }
    int[] dependents = new int[revStart[n]];
    int[] fill = Arrays.copyOf(revStart, n);
    for (int t = 0; t < n; t++) {
      for (int d : deps[t]) {
        dependents[fill[d]++] = t;
      }
    }
    int[] queue = new int[n];
    int head = 0;
    int tail = 0;
    for (int t = 0; t < n; t++) {
      if (pending[t] == 0) {
        queue[tail++] = t;
      }
    }
    while (head < tail) {
      int t = queue[head++];
      for (int r = revStart[t]; r < revStart[t + 1]; r++) {
        if (--pending[dependents[r]] == 0) {
          queue[tail++] = dependents[r];
        }
      }
    }
    return tail == n ? List.of() : walk(deps, pending, max);
  }

  /**
   * Every template left over waits on at least one other left-over template, so following such
   * deps from any of them must come back to a template already on the walk.
   */
  private static List<int[]> walk(int[][] deps, int[] pending, int max) {
    int n = deps.length;
    final byte unseen = 0;
    final byte onWalk = 1;
    final byte done = 2;
    byte[] state = new byte[n];
    int[] positionOnWalk = new int[n];
    int[] walk = new int[n];
    List<int[]> cycles = new ArrayList<>();
    for (int s = 0; s < n && cycles.size() < max; s++) {
      if (pending[s] == 0 || state[s] != unseen) {
        continue;
      }
      int length = 0;
      int cur = s;
      while (state[cur] == unseen) {
        state[cur] = onWalk;
        positionOnWalk[cur] = length;
        walk[length++] = cur;
        cur = leftOverDep(deps[cur], pending);
      }
      // A walk that runs into an earlier walk leads to a cycle already reported.
      if (state[cur] == onWalk) {
        cycles.add(startAtLowest(Arrays.copyOfRange(walk, positionOnWalk[cur], length)));
      }
      for (int i = 0; i < length; i++) {
        state[walk[i]] = done;
      }
    }
    return cycles;
  }

  private static int leftOverDep(int[] deps, int[] pending) {
    for (int d : deps) {
      if (pending[d] > 0) {
        return d;
      }
    }
    throw new IllegalStateException("a left-over template has no left-over dependency");
  }

  private static int[] startAtLowest(int[] cycle) {
    int lowest = 0;
    for (int i = 1; i < cycle.length; i++) {
      if (cycle[i] < cycle[lowest]) {
        lowest = i;
      }
    }
    int[] rotated = new int[cycle.length];
    for (int i = 0; i < cycle.length; i++) {
      rotated[i] = cycle[(lowest + i) % cycle.length];
    }
    return rotated;
  }
}
