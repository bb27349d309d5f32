package com.calcgrid.job;

import com.calcgrid.graph.GraphLimits;
import com.typesafe.config.Config;
import java.time.Duration;

/**
 * A job supervisor's tuning, which rarely changes; see calcgrid.job and calcgrid.limits in
 * application.conf.
 *
 * @param maxInFlight hand-outs out plus outcomes not yet written, per job
 * @param maxLostWorkers workers lost while running one task before it fails
 * @param maxInputBytes bytes of dependency results one task may receive
 */
public record JobSettings(int snapshotEvery, Duration idleAfterFinish, Duration flushDelay,
    Duration reportGrace, int maxInFlight, int maxLostWorkers, long maxInputBytes) {

  public static final int DEFAULT_MAX_IN_FLIGHT = 2048;
  public static final int DEFAULT_MAX_LOST_WORKERS = 3;
  /** Room in the stash beyond the hand-outs: offers, timers, membership changes. */
  static final int CONTROL_HEADROOM = 1024;
  private static final long FRAME_MARGIN = 256 * 1024;

  /** Settings with the default limits. */
  public JobSettings(int snapshotEvery, Duration idleAfterFinish, Duration flushDelay,
      Duration reportGrace) {
    this(snapshotEvery, idleAfterFinish, flushDelay, reportGrace, DEFAULT_MAX_IN_FLIGHT,
        DEFAULT_MAX_LOST_WORKERS, GraphLimits.DEFAULT_MAX_INPUT_BYTES);
  }

  /**
   * Reads calcgrid.job and calcgrid.limits, and checks that what may be out fits what can be
   * held: while a supervisor writes, every report, offer and query waits in Pekko's stash,
   * and a full stash drops messages. A hand-out and a result must also fit a remote frame.
   *
   * @throws IllegalArgumentException when they do not (the node refuses to start, exit 2)
   */
  public static JobSettings fromConfig(Config config) {
    Config job = config.getConfig("calcgrid.job");
    Config limits = config.getConfig("calcgrid.limits");
    JobSettings s = new JobSettings(job.getInt("snapshot-every"),
        job.getDuration("idle-after-finish"), job.getDuration("flush-delay"),
        job.getDuration("report-grace"), job.getInt("max-in-flight"),
        job.getInt("max-lost-workers"), limits.getBytes("max-input-bytes"));
    int stash = config.getInt("pekko.persistence.typed.stash-capacity");
    int connections = config.getInt("pekko.http.server.max-connections");
    if (s.maxInFlight() < 1 || s.maxInFlight() + CONTROL_HEADROOM + connections > stash) {
      throw new IllegalArgumentException("calcgrid.job.max-in-flight"
          + " (CALCGRID_MAX_IN_FLIGHT) is " + s.maxInFlight() + ": it must be at least 1, and"
          + " with " + CONTROL_HEADROOM + " for control messages and"
          + " pekko.http.server.max-connections (" + connections + ") for queries it must fit"
          + " pekko.persistence.typed.stash-capacity (" + stash + "), or worker reports"
          + " could be dropped while a supervisor writes");
    }
    if (s.maxLostWorkers() < 1 || s.maxLostWorkers() > Byte.MAX_VALUE) {
      throw new IllegalArgumentException("calcgrid.job.max-lost-workers"
          + " (CALCGRID_MAX_LOST_WORKERS) must be from 1 to " + Byte.MAX_VALUE + ", got "
          + s.maxLostWorkers());
    }
    long frame = config.getBytes("pekko.remote.artery.advanced.maximum-large-frame-size");
    long results = limits.getBytes("max-result-bytes");
    // CBOR may take 9 bytes for a number that JSON writes in 4 ("1.0,")
    if (s.maxInputBytes() * 9 / 4 + FRAME_MARGIN > frame || results + FRAME_MARGIN > frame) {
      throw new IllegalArgumentException("calcgrid.limits.max-input-bytes ("
          + s.maxInputBytes() + ") and max-result-bytes (" + results + ") must fit a remote"
          + " message: pekko.remote.artery.advanced.maximum-large-frame-size is " + frame
          + " bytes; it must be at least 2.25 x max-input-bytes and max-result-bytes, plus "
          + FRAME_MARGIN);
    }
    return s;
  }
}
