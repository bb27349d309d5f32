package com.calcgrid.pull;

import org.apache.pekko.actor.typed.ActorRef;

/** Slots and load, for the cluster view. */
public record GetLoad(ActorRef<Load> replyTo) implements Worker {}
