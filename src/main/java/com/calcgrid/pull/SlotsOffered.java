package com.calcgrid.pull;

import com.calcgrid.job.JobSupervisor;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A worker lends {@code slots} slots; answer with {@link RunTasks} carrying the
 * same {@code offerId}. An offer not answered within calcgrid.worker.offer-timeout expires.
 */
public record SlotsOffered(int slots, ActorRef<Worker> agent, String node,
    long offerId) implements JobSupervisor.Command {}
