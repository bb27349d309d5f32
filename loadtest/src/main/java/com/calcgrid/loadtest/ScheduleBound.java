package com.calcgrid.loadtest;

import java.util.Arrays;

/**
 * Lower bounds on the makespan of a task graph on a number of slots, for any scheduler that
 * runs each task without interruption. {@link #simple} is the max(critical path,
 * work / slots); {@link #tight} adds two classical arguments that the simple one misses:
 *
 * <ul>
 *   <li>energy: every task that cannot start before {@code a} and still has at least {@code b}
 *       of work behind it once it ends must fit, together, between {@code a} and
 *       {@code makespan - b} on the slots, so makespan >= a + their work / slots + b;
 *   <li>waves: k tasks that each last at least L, with k > slots, need ceil(k / slots) rounds of
 *       L on the slots, so makespan >= earliest start + ceil(k / slots) * L + the shortest work
 *       behind them.
 * </ul>
 *
 * A measured makespan above 1.10 x the simple bound but near the tight one is a graph where no
 * scheduler could have met the target.
 */
final class ScheduleBound {
  private ScheduleBound() {}

  static long simple(FloorGraph g, int slots) {
    return Math.max(g.criticalPathMs(), ceilDiv(g.totalWorkMs(), slots));
  }

  static long tight(FloorGraph g, int slots) {
    int n = g.n;
    long[] run = new long[n];
    for (int i = 0; i < n; i++) {
      run[i] = g.sleepMs == null ? 0 : g.sleepMs[i];
    }
    int[] order = g.topologicalOrder();
    long[] head = new long[n];
    for (int i : order) {
      for (int e = g.predStart[i]; e < g.predStart[i + 1]; e++) {
        head[i] = Math.max(head[i], head[g.pred[e]] + run[g.pred[e]]);
      }
    }
    long[] tail = new long[n];
    for (int k = n - 1; k >= 0; k--) {
      int i = order[k];
      for (int e = g.succStart[i]; e < g.succStart[i + 1]; e++) {
        tail[i] = Math.max(tail[i], tail[g.succ[e]] + run[g.succ[e]]);
      }
    }
    long best = simple(g, slots);
    Integer[] byTail = sortedBy(n, i -> -tail[i]);
    for (long a : distinct(head)) {
      long work = 0;
      for (int i : byTail) {
        if (head[i] >= a) {
          work += run[i];
          best = Math.max(best, a + ceilDiv(work, slots) + tail[i]);
        }
      }
    }
    // lengths of the (slots+1)-th to the (8 slots)-th longest task: up to eight waves, which
    // keeps this quick on graphs of thousands of tasks (any choice gives a valid bound)
    Integer[] byRun = sortedBy(n, i -> -run[i]);
    for (int rank = slots; rank < Math.min(n, 8 * slots); rank++) {
      long length = run[byRun[rank]];
      long[] heads = Arrays.stream(byRun, 0, rank + 1).mapToLong(i -> head[i]).toArray();
      for (long a : distinct(heads)) {
        int k = 0;
        for (int i : byTail) {
          if (run[i] >= length && head[i] >= a) {
            k++;
            if (k > slots) {
              best = Math.max(best, a + ceilDiv(k, slots) * length + tail[i]);
            }
          }
        }
      }
    }
    return best;
  }

  private static long ceilDiv(long x, long y) {
    return (x + y - 1) / y;
  }

  private static long[] distinct(long[] values) {
    return Arrays.stream(values).distinct().sorted().toArray();
  }

  private static Integer[] sortedBy(int n, java.util.function.IntToLongFunction key) {
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (x, y) -> Long.compare(key.applyAsLong(x), key.applyAsLong(y)));
    return idx;
  }
}
