package com.calcgrid.job;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Tasks whose retry backoff runs, earliest first. The supervisor keeps one timer for all of
 * them: a timer message each could flood the stash while a write is in progress.
 */
final class Retries {
  /** {System.nanoTime() when due, task}. */
  private final PriorityQueue<long[]> due = new PriorityQueue<>(Comparator.comparingLong(r -> r[0]));

  /** Task {@code task} failed attempt {@code attempt}: it waits its template's backoff. */
  void failed(JobState s, int task, int attempt) {
    long waitMillis = s.graph.template(s.graph.templateOf(task)).retry()
        .backoffAfter(attempt, ThreadLocalRandom.current().nextDouble());
    due.add(new long[] {System.nanoTime() + waitMillis * 1_000_000, task});
  }

  /** Milliseconds until the earliest retry is due, or -1 when none waits. */
  long nextInMillis() {
    long[] first = due.peek();
    return first == null ? -1 : Math.max(0, (first[0] - System.nanoTime()) / 1_000_000);
  }

  /** Queues every task whose backoff is over. */
  void queueDue(JobState s) {
    long now = System.nanoTime();
    while (!due.isEmpty() && due.peek()[0] - now <= 0) {
      s.requeue((int) due.poll()[1]);
    }
  }

  /** The supervisor recovered: what this incarnation waited for is rebuilt from the journal. */
  void clear() {
    due.clear();
  }
}
