package com.calcgrid.job;

/** Where one task stands. Stored as its ordinal in a byte per task. */
public enum TaskStatus {
  WAITING, READY, RUNNING, SUCCEEDED, FAILED, SKIPPED, CANCELLED;

  private static final TaskStatus[] VALUES = values();

  public static TaskStatus of(byte ordinal) {
    return VALUES[ordinal];
  }

  public boolean terminal() {
    return ordinal() >= SUCCEEDED.ordinal();
  }
}
