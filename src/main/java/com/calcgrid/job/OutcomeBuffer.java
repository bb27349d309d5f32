package com.calcgrid.job;

import com.calcgrid.job.JobEvent.TaskOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Outcomes waiting for the next write, and the rule for when that write goes. Bounded by the
 * hand-outs a supervisor may have out, never by the size of the graph.
 */
final class OutcomeBuffer {
  /** When to write what {@link #add} holds. */
  enum FlushWhen {
    /** In this turn. */
    NOW,
    /** With a message to ourselves, which goes behind the reports waiting in the stash. */
    BEHIND_STASH,
    /** After the flush delay. */
    SOON,
    /** A write is on its way already. */
    ALREADY_QUEUED
  }

  /** Outcomes one write carries at most before it is written at once. */
  static final int FULL_BATCH = 1000;

  private List<TaskOutcome> pending = new ArrayList<>();
  private boolean flushQueued;
  /** A write that took longer than this was slow (calcgrid.job.flush-delay). */
  private final long slowWriteNanos;
  private long lastWriteNanos;
  /** A flush is on its way to ourselves, behind the reports waiting in the stash. */
  private boolean behindStash;

  OutcomeBuffer(Duration flushDelay) {
    this.slowWriteNanos = flushDelay.toNanos();
  }

  /**
   * Holds an outcome for the next write. The write waits a moment while other hand-outs are
   * still out and workers have ready tasks to run, because more outcomes are about to arrive
   * and one write of many outcomes costs far less than many writes of one. When nothing else is
   * out (a chain), or nothing is ready (slots are about to idle until this outcome frees its
   * dependents), it goes at once: then the wait would be time lost on the critical path, and
   * outcomes that arrive during the write still share the next one.
   *
   * @param othersOut other hand-outs are still out on workers
   * @param readyTasksLeft the job has tasks ready to hand out
   */
  FlushWhen add(TaskOutcome o, boolean othersOut, boolean readyTasksLeft) {
    pending.add(o);
    if (pending.size() >= FULL_BATCH || !othersOut || !readyTasksLeft) {
      flushQueued = true;
      return FlushWhen.NOW;
    }
    if (flushQueued) {
      return FlushWhen.ALREADY_QUEUED;
    }
    flushQueued = true;
    return FlushWhen.SOON;
  }

  /**
   * When a report's outcome that {@link #add} wants written {@link FlushWhen#NOW} goes. After a
   * slow write, reports piled up in the stash behind this one: they are handled before a message
   * to ourselves, and one write carries them all, where written at once each of them would wait
   * for a write of its own. Otherwise it goes in this turn rather than after a message to
   * ourselves: a chain waits for it.
   */
  FlushWhen nowOrBehindStash() {
    if (lastWriteNanos <= slowWriteNanos) {
      return FlushWhen.NOW;
    }
    if (behindStash) {
      return FlushWhen.ALREADY_QUEUED;
    }
    behindStash = true;
    return FlushWhen.BEHIND_STASH;
  }

  /** A write of outcomes took {@code nanos}. */
  void written(long nanos) {
    lastWriteNanos = nanos;
  }

  int size() {
    return pending.size();
  }

  /** Everything held, for one write; the buffer starts empty again. */
  List<TaskOutcome> drain() {
    flushQueued = false;
    behindStash = false;
    List<TaskOutcome> out = pending;
    pending = new ArrayList<>();
    return out;
  }
}
