package com.calcgrid.pull;

import com.calcgrid.CborSerializable;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * What a worker receives: {@link RequestWork}, {@link RunTasks}, {@link CancelJob} and
 * {@link GetLoad} from this package, and each implementation's own private messages.
 */
public interface Worker extends CborSerializable {

  /** How supervisors find workers on every node. */
  ServiceKey<Worker> KEY = ServiceKey.create(Worker.class, "calcgrid-worker");
}
