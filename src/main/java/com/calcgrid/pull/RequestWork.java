package com.calcgrid.pull;

import com.calcgrid.job.JobSupervisor;
import org.apache.pekko.actor.typed.ActorRef;

/** A supervisor has ready tasks; idempotent. */
public record RequestWork(String jobId, ActorRef<JobSupervisor.Command> supervisor)
    implements Worker {}
