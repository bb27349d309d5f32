package com.calcgrid.loadtest;

import java.util.Arrays;

/**
 * A task graph as plain arrays for the floor executor: per task a value and a sleep, and the
 * edges as compressed sparse rows both ways. The same graph a benchmark posts to CalcGrid.
 */
final class FloorGraph {
  final int n;
  final long[] value;
  /** Milliseconds each task sleeps; null when no task sleeps. */
  final int[] sleepMs;
  final int[] predStart;
  final int[] pred;
  final int[] succStart;
  final int[] succ;

  /** @param parents parents[i] lists the tasks task i waits for */
  FloorGraph(long[] value, int[] sleepMs, int[][] parents) {
    this.n = value.length;
    this.value = value;
    this.sleepMs = sleepMs;
    predStart = new int[n + 1];
    for (int i = 0; i < n; i++) {
      predStart[i + 1] = predStart[i] + parents[i].length;
    }
    pred = new int[predStart[n]];
    int[] succCount = new int[n + 1];
    for (int i = 0, e = 0; i < n; i++) {
      for (int p : parents[i]) {
        pred[e++] = p;
        succCount[p + 1]++;
      }
    }
    succStart = new int[n + 1];
    for (int i = 0; i < n; i++) {
      succStart[i + 1] = succStart[i] + succCount[i + 1];
    }
    succ = new int[pred.length];
    int[] fill = Arrays.copyOf(succStart, n);
    for (int i = 0; i < n; i++) {
      for (int e = predStart[i]; e < predStart[i + 1]; e++) {
        succ[fill[pred[e]]++] = i;
      }
    }
  }

  /** Root, n items that each wait for the root, one sink over all items. */
  static FloorGraph fanOut(int items) {
    int n = items + 2;
    long[] value = new long[n];
    int[][] parents = new int[n][];
    parents[0] = new int[0];
    int[] all = new int[items];
    for (int k = 0; k < items; k++) {
      value[k + 1] = k;
      parents[k + 1] = new int[] {0};
      all[k] = k + 1;
    }
    parents[n - 1] = all;
    return new FloorGraph(value, null, parents);
  }

  /** Tasks 0 to steps-1, each waiting for the one before, each adding 1. */
  static FloorGraph chain(int steps) {
    long[] value = new long[steps];
    int[][] parents = new int[steps][];
    for (int i = 0; i < steps; i++) {
      value[i] = 1;
      parents[i] = i == 0 ? new int[0] : new int[] {i - 1};
    }
    return new FloorGraph(value, null, parents);
  }

  /** n independent tasks, task k returning k. */
  static FloorGraph range(int n) {
    long[] value = new long[n];
    int[][] parents = new int[n][];
    int[] none = new int[0];
    for (int i = 0; i < n; i++) {
      value[i] = i;
      parents[i] = none;
    }
    return new FloorGraph(value, null, parents);
  }

  /** Longest path, in sleep milliseconds (tasks are in an order where parents come first). */
  long criticalPathMs() {
    long[] finish = new long[n];
    long longest = 0;
    for (int i : topologicalOrder()) {
      long start = 0;
      for (int e = predStart[i]; e < predStart[i + 1]; e++) {
        start = Math.max(start, finish[pred[e]]);
      }
      finish[i] = start + (sleepMs == null ? 0 : sleepMs[i]);
      longest = Math.max(longest, finish[i]);
    }
    return longest;
  }

  long totalWorkMs() {
    long sum = 0;
    for (int i = 0; i < n && sleepMs != null; i++) {
      sum += sleepMs[i];
    }
    return sum;
  }

  int[] topologicalOrder() {
    int[] indeg = new int[n];
    for (int i = 0; i < n; i++) {
      indeg[i] = predStart[i + 1] - predStart[i];
    }
    int[] order = new int[n];
    int head = 0;
    int tail = 0;
    for (int i = 0; i < n; i++) {
      if (indeg[i] == 0) {
        order[tail++] = i;
      }
    }
    while (head < tail) {
      int i = order[head++];
      for (int e = succStart[i]; e < succStart[i + 1]; e++) {
        if (--indeg[succ[e]] == 0) {
          order[tail++] = succ[e];
        }
      }
    }
    if (tail != n) {
      throw new IllegalArgumentException("graph has a cycle");
    }
    return order;
  }
}
