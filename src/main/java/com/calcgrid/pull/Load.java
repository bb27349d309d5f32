package com.calcgrid.pull;

import com.calcgrid.CborSerializable;

/**
 * A worker's slots and load, for the cluster view.
 *
 * @param queued tasks taken beyond the slots, waiting for one
 * @param external for a worker connected through a gateway: its name and peer address; null for
 *     a node's own worker
 */
public record Load(String node, int slots, int busy, int queued, int waitingJobs,
    String external) implements CborSerializable {

  /** The load of a node's own worker. */
  public Load(String node, int slots, int busy, int queued, int waitingJobs) {
    this(node, slots, busy, queued, waitingJobs, null);
  }
}
