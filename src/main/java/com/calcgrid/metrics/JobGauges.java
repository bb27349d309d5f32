package com.calcgrid.metrics;

/**
 * One job's share of this node's gauges (supervisors hosted, ready tasks): what the job last
 * added, so that it can bring them in step with each change and take all of it back when its
 * supervisor stops or restarts.
 */
public final class JobGauges {
  private final NodeMetrics metrics;
  private int reportedReady;
  private boolean reportedHosted;

  public JobGauges(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * @param hosted the supervisor holds a job (it was submitted)
   * @param ready the job's ready tasks, 0 unless it runs
   */
  public void report(boolean hosted, int ready) {
    if (!reportedHosted && hosted) {
      reportedHosted = true;
      metrics.supervisors(1);
    }
    if (ready != reportedReady) {
      metrics.readyTasks(ready - reportedReady);
      reportedReady = ready;
    }
  }

  /** The supervisor stops or restarts: this job leaves the node's gauges. */
  public void unreport() {
    metrics.readyTasks(-reportedReady);
    reportedReady = 0;
    if (reportedHosted) {
      reportedHosted = false;
      metrics.supervisors(-1);
    }
  }
}
