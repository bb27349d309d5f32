package com.calcgrid.job;

/** Where a job stands. Only RUNNING is not final. */
public enum JobStatus {
  RUNNING, SUCCEEDED, FAILED, CANCELLED;

  public boolean finished() {
    return this != RUNNING;
  }
}
