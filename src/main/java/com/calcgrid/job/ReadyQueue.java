package com.calcgrid.job;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.TreeMap;

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

  /**
   * Entries {from, to, System.nanoTime() when queued}, first in first out within a priority,
   * highest priority first. A graph has few distinct priorities (one per template at most), so
   * a single requeued task costs a deque append, not a heap insert.
   */
  private final TreeMap<Long, ArrayDeque<long[]>> byPriority =
      new TreeMap<>(Comparator.reverseOrder());
  private long polledSince;

  void add(int from, int to, long priority) {
    if (from < to) {
      byPriority.computeIfAbsent(priority, p -> new ArrayDeque<>())
          .addLast(new long[] {from, to, System.nanoTime()});
    }
  }

  /**
   * Queues tasks ahead of everything of their priority: tasks a lost worker held had waited
   * their turn already, and queued at the back they would run last, stretching the job's tail.
   */
  void addFirst(int from, int to, long priority) {
    if (from < to) {
      byPriority.computeIfAbsent(priority, p -> new ArrayDeque<>())
          .addFirst(new long[] {from, to, System.nanoTime()});
    }
  }

  /** When the task that {@link #poll} returned last entered the queue (System.nanoTime()). */
  long polledSince() {
    return polledSince;
  }

  void clear() {
    byPriority.clear();
  }

  /** The next task whose status is READY, removed from the queue, or -1. */
  int poll(byte[] status) {
    int next = peek(status);
    if (next >= 0) {
      ArrayDeque<long[]> ranges = byPriority.firstEntry().getValue();
      long[] head = ranges.peekFirst();
      polledSince = head[QUEUED_AT];
      head[FROM]++;
      if (head[FROM] >= head[TO]) {
        ranges.pollFirst();
        if (ranges.isEmpty()) {
          byPriority.pollFirstEntry();
        }
      }
    }
    return next;
  }

  /** The next READY task without removing it, or -1; drops stale entries on the way. */
  int peek(byte[] status) {
    while (!byPriority.isEmpty()) {
      ArrayDeque<long[]> ranges = byPriority.firstEntry().getValue();
      while (!ranges.isEmpty()) {
        long[] head = ranges.peekFirst();
        while (head[FROM] < head[TO] && status[(int) head[FROM]] != TaskStatus.READY.ordinal()) {
          head[FROM]++;
        }
        if (head[FROM] < head[TO]) {
          return (int) head[FROM];
        }
        ranges.pollFirst();
      }
      byPriority.pollFirstEntry();
    }
    return -1;
  }

  /**
   * As {@link #poll(byte[])}, but only a task that {@code fits} (a worker serves its function):
   * the first one in queue order, passing over what it does not serve. An entry never spans two
   * templates, so its first task stands for all of it.
   */
  int poll(byte[] status, IntPredicate fits) {
    long[] range = find(status, fits);
    if (range == null) {
      return -1;
    }
    polledSince = range[QUEUED_AT];
    // an emptied entry is dropped by the next look at it
    return (int) range[FROM]++;
  }

  /** As {@link #peek(byte[])}, for a task that {@code fits}. */
  int peek(byte[] status, IntPredicate fits) {
    long[] range = find(status, fits);
    return range == null ? -1 : (int) range[FROM];
  }

  private long[] find(byte[] status, IntPredicate fits) {
    Iterator<Map.Entry<Long, ArrayDeque<long[]>>> levels = byPriority.entrySet().iterator();
    while (levels.hasNext()) {
      ArrayDeque<long[]> ranges = levels.next().getValue();
      Iterator<long[]> it = ranges.iterator();
      while (it.hasNext()) {
        long[] r = it.next();
        while (r[FROM] < r[TO] && status[(int) r[FROM]] != TaskStatus.READY.ordinal()) {
          r[FROM]++;
        }
        if (r[FROM] >= r[TO]) {
          it.remove();
        } else if (fits.test((int) r[FROM])) {
          return r;
        }
      }
      if (ranges.isEmpty()) {
        levels.remove();
      }
    }
    return null;
  }
}
