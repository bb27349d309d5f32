package com.calcgrid.metrics;

/**
 * One job's share of this node's gauges (supervisors hosted, ready tasks, jobs at risk): what
 * the job last added, so that it can bring them in step with each change and take all of it
 * back when its supervisor stops or restarts.
 */
public final class JobGauges {
  private final NodeMetrics metrics;
  private int reportedReady;
  private boolean reportedHosted;
  private boolean reportedAtRisk;

  public JobGauges(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * @param hosted the supervisor holds a job (it was submitted)
   * @param ready the job's ready tasks, 0 unless it runs
   * @param atRisk the job is projected to miss its deadline
   */
  public void report(boolean hosted, int ready, boolean atRisk) {
    if (atRisk != reportedAtRisk) {
      metrics.jobsAtRisk(atRisk ? 1 : -1);
      reportedAtRisk = atRisk;
    }
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
    if (reportedAtRisk) {
      reportedAtRisk = false;
      metrics.jobsAtRisk(-1);
    }
    if (reportedHosted) {
      reportedHosted = false;
      metrics.supervisors(-1);
    }
  }
}
