package com.calcgrid.pull;

import com.calcgrid.CborSerializable;

/** @param queued tasks taken beyond the slots, waiting for one */
public record Load(String node, int slots, int busy, int queued, int waitingJobs)
    implements CborSerializable {}
