package com.calcgrid.cluster;

import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The management port's readiness check that the database answers and the journal writes (the
 * last results of {@link NodeHealth}'s background checks; never a query per request).
 * pekko-management creates it from {@code pekko.management.health-checks.readiness-checks}; its
 * own {@code cluster-membership} check covers being Up or WeaklyUp.
 */
public final class DatabaseReadinessCheck implements Supplier<CompletionStage<Boolean>> {
  private final NodeHealth health;

  public DatabaseReadinessCheck(ActorSystem system) {
    this.health = NodeHealth.get(Adapter.toTyped(system));
  }

  @Override
  public CompletionStage<Boolean> get() {
    return health.storageReady();
  }
}
