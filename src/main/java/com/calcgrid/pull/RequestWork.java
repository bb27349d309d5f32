package com.calcgrid.pull;

import com.calcgrid.graph.GraphSpec;
import com.calcgrid.job.JobSupervisor;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A supervisor has ready tasks; idempotent.
 *
 * @param tenant whose job it is: free slots are shared between tenants by their weights
 * @param priorityRank the job's priority class, 0 first ({@link GraphSpec#rankOf})
 * @param atRisk the job is projected to miss its deadline: it goes first within its class
 */
public record RequestWork(String jobId, ActorRef<JobSupervisor.Command> supervisor,
    String tenant, int priorityRank, boolean atRisk) implements Worker {

  public RequestWork {
    tenant = tenant == null ? "" : tenant;
  }

  public RequestWork(String jobId, ActorRef<JobSupervisor.Command> supervisor, String tenant,
      int priorityRank) {
    this(jobId, supervisor, tenant, priorityRank, false);
  }

  /** A request of a batch job of no particular tenant. */
  public RequestWork(String jobId, ActorRef<JobSupervisor.Command> supervisor) {
    this(jobId, supervisor, "", GraphSpec.rankOf(GraphSpec.DEFAULT_PRIORITY), false);
  }
}
