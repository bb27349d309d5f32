package com.calcgrid.calc.process;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Reads one output pipe of a child process on a thread of its own, keeping a bounded part of
 * it: the start ({@link #head}, for standard output, which is the result) or the end
 * ({@link #tail}, for standard error, which explains a failure). A child that writes more than
 * is kept never grows the node's heap: a head stops reading at its limit, so the child blocks
 * until it is killed; a tail drains everything and keeps the last bytes.
 *
 * <p>Reading on threads of their own keeps the pipes drained while the task's thread waits for
 * the process, interruptibly: a read from a pipe cannot be interrupted.
 */
final class OutputCapture {
  private final InputStream in;
  private final boolean keepTail;
  private final int limit;
  private final Thread reader;
  private byte[] kept;
  private int length;
  private long total;
  private boolean overflowed;
  private volatile boolean ended;

  private OutputCapture(InputStream in, boolean keepTail, int limit, String name) {
    this.in = in;
    this.keepTail = keepTail;
    this.limit = limit;
    this.kept = new byte[keepTail ? 2 * limit : Math.min(limit + 1, 8192)];
    this.reader = new Thread(this::drain, name);
    reader.setDaemon(true);
  }

  /** Keeps the first {@code limit} bytes; notes, and stops reading, when there are more. */
  static OutputCapture head(InputStream in, int limit, String name) {
    OutputCapture c = new OutputCapture(in, false, limit, name);
    c.reader.start();
    return c;
  }

  /** Reads everything and keeps the last {@code keep} bytes. */
  static OutputCapture tail(InputStream in, int keep, String name) {
    OutputCapture c = new OutputCapture(in, true, keep, name);
    c.reader.start();
    return c;
  }

  private void drain() {
    byte[] chunk = new byte[8192];
    try {
      for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
        if (!keep(chunk, n)) {
          return;
        }
      }
    } catch (IOException e) {
      // the pipe was closed under us: what was read is what there is
    } finally {
      ended = true;
    }
  }

  /** Adds {@code n} bytes; false once a head is full. */
  private synchronized boolean keep(byte[] chunk, int n) {
    total += n;
    if (keepTail) {
      if (n >= limit) {
        System.arraycopy(chunk, n - limit, kept, 0, limit);
        length = limit;
      } else {
        if (length + n > kept.length) {
          int drop = length + n - limit;
          System.arraycopy(kept, drop, kept, 0, length - drop);
          length -= drop;
        }
        System.arraycopy(chunk, 0, kept, length, n);
        length += n;
      }
      return true;
    }
    int room = limit + 1 - length;
    int take = Math.min(n, room);
    if (length + take > kept.length) {
      kept = Arrays.copyOf(kept, Math.min(limit + 1, Math.max(length + take, 2 * kept.length)));
    }
    System.arraycopy(chunk, 0, kept, length, take);
    length += take;
    if (length > limit) {
      overflowed = true;
      length = limit;
      return false;
    }
    return true;
  }

  /** True once a head was offered more than its limit. */
  synchronized boolean overflowed() {
    return overflowed;
  }

  /** Bytes read so far, kept or not. */
  synchronized long total() {
    return total;
  }

  /** What is kept: the first bytes of a head, the last bytes of a tail. */
  synchronized byte[] bytes() {
    int from = keepTail ? Math.max(0, length - limit) : 0;
    return Arrays.copyOfRange(kept, from, length);
  }

  /**
   * Waits, at most {@code millis}, for the end of the output; false if it is still open, which
   * happens when a process the child started in the background holds the pipe.
   */
  boolean awaitEnd(long millis) throws InterruptedException {
    reader.join(TimeUnit.MILLISECONDS.toMillis(Math.max(1, millis)));
    return ended;
  }
}
