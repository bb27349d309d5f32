package com.calcgrid.api.events;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * What one WebSocket client of a job still has to receive. The job's {@link JobEventsHub} fills
 * it with frames rendered once for every client on the node; the socket drains it as fast as the
 * client reads ({@link JobEventsSource}).
 *
 * <p>A client that reads slower than the job runs must not grow the server's memory: once
 * {@code capacity} task events are queued, further {@code tasks} frames are dropped and counted;
 * progress is kept only as the latest; and {@code finished} jumps ahead of task frames queued
 * before the last flush, which a client that far behind can no longer use (they count as
 * dropped too). Called by the hub's thread and the socket's thread, hence synchronized.
 */
final class JobEventsOutbox {

  /** A frame and the hub flush it belongs to; {@code events} is 0 for a snapshot. */
  private record Frame(String text, int events, long seq) {}

  private final int capacity;
  private final boolean withTasks;
  private final ArrayDeque<Frame> queue = new ArrayDeque<>();
  private int queuedEvents;
  private long dropped;
  /** The latest progress not yet sent, without its closing brace; null when none. */
  private String progress;
  private long progressSeq;
  /** The latest progress offered, sent again when finishing drops events nobody was told of. */
  private String lastProgress;
  private long lastProgressSeq;
  private String last;
  private boolean lastSent;
  private Runnable waiter;

  /**
   * @param capacity task events queued before {@code tasks} frames are dropped
   * @param withTasks false for a client that asked for progress only
   */
  JobEventsOutbox(int capacity, boolean withTasks) {
    this.capacity = capacity;
    this.withTasks = withTasks;
  }

  /** A {@code snapshot} frame: never dropped while the job runs. */
  void snapshot(String text, long seq) {
    wake(add(new Frame(text, 0, seq)));
  }

  /** A {@code tasks} frame carrying {@code events} task events. */
  void tasks(String text, int events, long seq) {
    if (!withTasks) {
      return;
    }
    Runnable w;
    synchronized (this) {
      if (last != null) {
        return;
      }
      if (queuedEvents >= capacity) {
        dropped += events;
        return;
      }
      queuedEvents += events;
      w = add(new Frame(text, events, seq));
    }
    wake(w);
  }

  /** The job's counts after flush {@code seq}, as JSON without the closing brace. */
  void progress(String open, long seq) {
    Runnable w;
    synchronized (this) {
      if (last != null) {
        return;
      }
      progress = open;
      progressSeq = seq;
      lastProgress = open;
      lastProgressSeq = seq;
      w = takeWaiter();
    }
    wake(w);
  }

  /**
   * The final frame ({@code finished} or {@code not-found}). Task frames of flushes before
   * {@code seq} are dropped: a client still holding them is behind, and the end matters more.
   */
  void finish(String text, long seq) {
    Runnable w;
    synchronized (this) {
      if (last != null) {
        return;
      }
      long before = dropped;
      for (Iterator<Frame> it = queue.iterator(); it.hasNext(); ) {
        Frame f = it.next();
        if (f.events() > 0 && f.seq() < seq) {
          dropped += f.events();
          queuedEvents -= f.events();
          it.remove();
        }
      }
      if (dropped > before && progress == null && lastProgress != null) {
        // tell the client its view of the tasks has gaps before it ends
        progress = lastProgress;
        progressSeq = lastProgressSeq;
      }
      last = text;
      w = takeWaiter();
    }
    wake(w);
  }

  /**
   * The next frame to send, or null, in which case {@code waiter} runs once when there is one.
   * Task frames come before the progress that follows them; the final frame comes last.
   */
  synchronized String poll(Runnable waiter) {
    Frame head = queue.peek();
    if (head != null && (progress == null || head.seq() <= progressSeq)) {
      queue.poll();
      queuedEvents -= head.events();
      return head.text();
    }
    if (progress != null) {
      String open = progress;
      progress = null;
      return dropped > 0 ? open + ",\"droppedTaskEvents\":" + dropped + "}" : open + "}";
    }
    if (last != null) {
      lastSent = true;
      return last;
    }
    this.waiter = waiter;
    return null;
  }

  /** Whether the frame {@link #poll} last returned was the final one. */
  synchronized boolean ended() {
    return lastSent;
  }

  synchronized long dropped() {
    return dropped;
  }

  private synchronized Runnable add(Frame f) {
    queue.add(f);
    return takeWaiter();
  }

  private Runnable takeWaiter() {
    Runnable w = waiter;
    waiter = null;
    return w;
  }

  private static void wake(Runnable w) {
    if (w != null) {
      w.run();
    }
  }
}
