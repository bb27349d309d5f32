package com.calcgrid.job;

import com.calcgrid.pull.Worker;
import java.util.Arrays;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The hand-outs a supervisor has out, by task: each one's dispatch id, the worker holding it and
 * when its report is overdue. Parallel primitive arrays under open addressing, no object per
 * hand-out, sized by the hand-outs out (calcgrid.job.max-in-flight at most), never by the graph.
 * That a task runs, where and since when, is {@link JobState}'s to say: this holds only what a
 * report is checked against.
 */
final class HandOutTable {
  private static final int EMPTY = -1;
  private static final int INITIAL = 16;

  private int[] task;
  private long[] dispatchId;
  /** In {@link System#nanoTime()}. */
  private long[] deadline;
  private ActorRef<?>[] worker;
  private int size;

  HandOutTable() {
    allocate(INITIAL);
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Slots to look through with the {@code ...At} methods; an empty slot's task is negative. */
  int capacity() {
    return task.length;
  }

  int taskAt(int slot) {
    return task[slot];
  }

  long dispatchIdAt(int slot) {
    return dispatchId[slot];
  }

  long deadlineAt(int slot) {
    return deadline[slot];
  }

  @SuppressWarnings("unchecked")
  ActorRef<Worker> workerAt(int slot) {
    return (ActorRef<Worker>) worker[slot];
  }

  /** The slot of {@code t}'s hand-out, or -1 when it has none out. */
  int find(int t) {
    int mask = task.length - 1;
    for (int i = home(t, mask); ; i = (i + 1) & mask) {
      if (task[i] == t) {
        return i;
      }
      if (task[i] == EMPTY) {
        return -1;
      }
    }
  }

  /** Records the hand-out of {@code t}, in place of any it had. */
  void put(int t, long id, ActorRef<Worker> w, long dueNanos) {
    if ((size + 1) * 2 > task.length) {
      rehash(task.length * 2);
    }
    int mask = task.length - 1;
    int i = home(t, mask);
    while (task[i] != EMPTY && task[i] != t) {
      i = (i + 1) & mask;
    }
    if (task[i] == EMPTY) {
      size++;
    }
    task[i] = t;
    dispatchId[i] = id;
    worker[i] = w;
    deadline[i] = dueNanos;
  }

  /** Forgets {@code t}'s hand-out, if it has one. */
  void remove(int t) {
    int slot = find(t);
    if (slot >= 0) {
      removeAt(slot);
    }
  }

  /**
   * Empties a slot and moves later entries of the same probe run back, so that {@link #find}
   * never stops early at the hole.
   */
  private void removeAt(int slot) {
    int mask = task.length - 1;
    int hole = slot;
    for (int i = (slot + 1) & mask; task[i] != EMPTY; i = (i + 1) & mask) {
      // the entry may fill the hole when the hole lies on its way from its home slot
      if (((i - home(task[i], mask)) & mask) >= ((i - hole) & mask)) {
        task[hole] = task[i];
        dispatchId[hole] = dispatchId[i];
        worker[hole] = worker[i];
        deadline[hole] = deadline[i];
        hole = i;
      }
    }
    task[hole] = EMPTY;
    worker[hole] = null;
    size--;
  }

  void clear() {
    allocate(INITIAL);
  }

  private void allocate(int capacity) {
    task = new int[capacity];
    Arrays.fill(task, EMPTY);
    dispatchId = new long[capacity];
    deadline = new long[capacity];
    worker = new ActorRef<?>[capacity];
    size = 0;
  }

  private void rehash(int capacity) {
    int[] oldTask = task;
    long[] oldId = dispatchId;
    long[] oldDeadline = deadline;
    ActorRef<?>[] oldWorker = worker;
    allocate(capacity);
    for (int i = 0; i < oldTask.length; i++) {
      if (oldTask[i] != EMPTY) {
        @SuppressWarnings("unchecked")
        ActorRef<Worker> w = (ActorRef<Worker>) oldWorker[i];
        put(oldTask[i], oldId[i], w, oldDeadline[i]);
      }
    }
  }

  private static int home(int t, int mask) {
    int h = t * 0x9E3779B9;
    return (h ^ (h >>> 16)) & mask;
  }
}
