package com.calcgrid.loadtest;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The floor every figure is compared with: the same graph run by a plain dependency-counting
 * executor on a {@link ForkJoinPool}, in this process, with no persistence, no actors, no network.
 * Each task does what {@code util.sum} does (its value plus its parents' results) and
 * {@code util.sleep} when it has a sleep. What CalcGrid costs beyond this is the price of
 * durability, distribution and the API.
 */
final class Floor {
  /** One run: wall time and every task's result. */
  record Run(long nanos, long[] results) {
    double seconds() {
      return nanos / 1e9;
    }
  }

  private Floor() {}

  static Run run(FloorGraph g, int threads) throws InterruptedException {
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      return run(g, pool);
    } finally {
      pool.shutdownNow();
    }
  }

  /** As {@link #run(FloorGraph, int)} on a pool that outlives the run (many small graphs). */
  static Run run(FloorGraph g, ForkJoinPool pool) throws InterruptedException {
    AtomicIntegerArray waiting = new AtomicIntegerArray(g.n);
    for (int i = 0; i < g.n; i++) {
      waiting.set(i, g.predStart[i + 1] - g.predStart[i]);
    }
    long[] results = new long[g.n];
    CountDownLatch done = new CountDownLatch(1);
    AtomicInteger left = new AtomicInteger(g.n);
    long start = System.nanoTime();
    for (int i = 0; i < g.n; i++) {
      // the roots by the graph, not by the live counters: the roots started first may already
      // have brought other tasks' counters to zero, and those tasks they start themselves
      if (g.predStart[i + 1] == g.predStart[i]) {
        pool.execute(new Step(g, i, waiting, results, left, done));
      }
    }
    if (!done.await(30, TimeUnit.MINUTES)) {
      throw new IllegalStateException("floor run did not finish");
    }
    return new Run(System.nanoTime() - start, results);
  }

  private static final class Step extends RecursiveAction {
    private final FloorGraph g;
    private final int task;
    private final AtomicIntegerArray waiting;
    private final long[] results;
    private final AtomicInteger left;
    private final CountDownLatch done;

    Step(FloorGraph g, int task, AtomicIntegerArray waiting, long[] results,
        AtomicInteger left, CountDownLatch done) {
      this.g = g;
      this.task = task;
      this.waiting = waiting;
      this.results = results;
      this.left = left;
      this.done = done;
    }

    @Override
    protected void compute() {
      if (g.sleepMs != null && g.sleepMs[task] > 0) {
        try {
          Thread.sleep(g.sleepMs[task]);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      long sum = g.value[task];
      for (int e = g.predStart[task]; e < g.predStart[task + 1]; e++) {
        sum += results[g.pred[e]];
      }
      results[task] = sum;
      // the decrement publishes the result to whichever thread runs the dependent
      for (int e = g.succStart[task]; e < g.succStart[task + 1]; e++) {
        int s = g.succ[e];
        if (waiting.decrementAndGet(s) == 0) {
          new Step(g, s, waiting, results, left, done).fork();
        }
      }
      if (left.decrementAndGet() == 0) {
        done.countDown();
      }
    }
  }
}
