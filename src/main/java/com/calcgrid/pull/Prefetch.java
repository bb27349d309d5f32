package com.calcgrid.pull;

/**
 * How many tasks a worker takes beyond its slots, so that slots do not sit idle while the next
 * hand-out travels and the supervisor writes its journal. Enough queued work to cover
 * {@code coverMillis} at the observed task run time, never more than {@code max}: tiny tasks get
 * a deep queue, long tasks none at all, so a slow node never hoards work a free node could run.
 * The in-JVM worker queues these tasks itself; the gateway sends them on to its external worker,
 * which queues them in its pool.
 */
public final class Prefetch {
  /** Weight of the newest run time in the moving average. */
  private static final double ALPHA = 0.2;
  /** A run time below this counts as this, so a no-op does not ask for an unbounded queue. */
  private static final double FLOOR_MILLIS = 0.01;

  private final int slots;
  private final int max;
  private final double coverMillis;
  private double averageMillis = Double.NaN;

  public Prefetch(int slots, int max, double coverMillis) {
    this.slots = slots;
    this.max = max;
    this.coverMillis = coverMillis;
  }

  /** One attempt ran this long. */
  public void ran(double millis) {
    double m = Math.max(FLOOR_MILLIS, millis);
    averageMillis = Double.isNaN(averageMillis) ? m : averageMillis + ALPHA * (m - averageMillis);
  }

  /** Tasks to hold beyond the slots; none until a run time has been seen. */
  public int depth() {
    if (Double.isNaN(averageMillis) || max == 0) {
      return 0;
    }
    return (int) Math.min(max, Math.floor(slots * coverMillis / averageMillis));
  }
}
