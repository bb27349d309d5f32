package com.calcgrid.testing;

import java.util.concurrent.locks.LockSupport;

/** The pause between two checks of a bounded poll: never used to wait for an outcome itself. */
public final class Poll {
  private Poll() {}

  public static void pause() {
    LockSupport.parkNanos(50_000_000L);
  }
}
