package com.calcgrid.job;

import java.util.PriorityQueue;

/**
 * Tasks waiting for a slot, as ranges of task indices: a template of a million expansions that
 * becomes ready is one entry, not a million. Entries are checked lazily against the task's
 * current status, so a task that was cancelled or finished while queued is simply passed over.
 *
 * <p>The entry with the highest priority (the most estimated work still behind it, see
 * {@link com.calcgrid.graph.CompiledGraph#priority}) is served first; among equals, the one
 * queued first. Each entry remembers when it was queued, for the queue-wait metric.
 */
final class ReadyQueue {
  private static final int FROM = 0;
  private static final int TO = 1;
  private static final int QUEUED_AT = 2;
  private static final int PRIORITY = 3;
  private static final int SEQ = 4;

  /** Entries are {from, to, System.nanoTime() when queued, priority, arrival number}. */
  private final PriorityQueue<long[]> ranges = new PriorityQueue<>((a, b) -> {
    int byPriority = Long.compare(b[PRIORITY], a[PRIORITY]);
    return byPriority != 0 ? byPriority : Long.compare(a[SEQ], b[SEQ]);
  });
  private long arrivals;
  private long polledSince;

  void add(int from, int to, long priority) {
    if (from < to) {
      ranges.add(new long[] {from, to, System.nanoTime(), priority, arrivals++});
    }
  }

  /** When the task that {@link #poll} returned last entered the queue (System.nanoTime()). */
  long polledSince() {
    return polledSince;
  }

  void clear() {
    ranges.clear();
  }

  /** The next task whose status is READY, removed from the queue, or -1. */
  int poll(byte[] status) {
    int next = peek(status);
    if (next >= 0) {
      long[] head = ranges.peek();
      polledSince = head[QUEUED_AT];
      head[FROM]++;
      if (head[FROM] >= head[TO]) {
        ranges.poll();
      }
    }
    return next;
  }

  /** The next READY task without removing it, or -1; drops stale entries on the way. */
  int peek(byte[] status) {
    while (!ranges.isEmpty()) {
      long[] head = ranges.peek();
      while (head[FROM] < head[TO] && status[(int) head[FROM]] != TaskStatus.READY.ordinal()) {
        head[FROM]++;
      }
      if (head[FROM] < head[TO]) {
        return (int) head[FROM];
      }
      ranges.poll();
    }
    return -1;
  }
}
