package com.calcgrid.pull;

import com.calcgrid.job.JobSupervisor;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A worker lends {@code slots} slots; answer with {@link RunTasks} carrying the
 * same {@code offerId}. An offer not answered within calcgrid.worker.offer-timeout expires.
 *
 * @param serves the functions this worker runs: only their tasks may be handed to it
 */
public record SlotsOffered(int slots, ActorRef<Worker> agent, String node,
    long offerId, Serves serves) implements JobSupervisor.Command {

  public SlotsOffered {
    serves = serves == null ? Serves.ALL : serves;
  }

  /** An offer of a worker that runs every function. */
  public SlotsOffered(int slots, ActorRef<Worker> agent, String node, long offerId) {
    this(slots, agent, node, offerId, Serves.ALL);
  }
}
