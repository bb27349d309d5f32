package com.calcgrid.pull;

import com.calcgrid.job.JobSupervisor;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The answer to an offer: at most {@code granted} tasks; the rest of the credit returns.
 *
 * @param moreReady the supervisor still has ready tasks and wants another offer
 * @param offerId the {@link SlotsOffered#offerId()} this answers
 */
public record RunTasks(String jobId, ActorRef<JobSupervisor.Command> supervisor, int granted,
    List<TaskAssignment> tasks, boolean moreReady, long offerId) implements Worker {}
