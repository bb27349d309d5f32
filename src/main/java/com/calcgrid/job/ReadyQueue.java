package com.calcgrid.job;

import java.util.ArrayDeque;

/**
 * Tasks waiting for a slot, as ranges of task indices: a template of a million expansions that
 * becomes ready is one entry, not a million. Entries are checked lazily against the task's
 * current status, so a task that was cancelled or finished while queued is simply passed over.
 * Each entry remembers when it was queued, for the queue-wait metric: one long per range.
 */
final class ReadyQueue {
  /** Entries are {from, to, System.nanoTime() when queued}. */
  private final ArrayDeque<long[]> ranges = new ArrayDeque<>();
  private long polledSince;

  void add(int from, int to) {
    if (from < to) {
      ranges.addLast(new long[] {from, to, System.nanoTime()});
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
      long[] head = ranges.peekFirst();
      polledSince = head[2];
      head[0]++;
      if (head[0] >= head[1]) {
        ranges.pollFirst();
      }
    }
    return next;
  }

  /** The next READY task without removing it, or -1; drops stale entries on the way. */
  int peek(byte[] status) {
    while (!ranges.isEmpty()) {
      long[] head = ranges.peekFirst();
      while (head[0] < head[1] && status[(int) head[0]] != TaskStatus.READY.ordinal()) {
        head[0]++;
      }
      if (head[0] < head[1]) {
        return (int) head[0];
      }
      ranges.pollFirst();
    }
    return -1;
  }
}
