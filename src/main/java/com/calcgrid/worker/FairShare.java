package com.calcgrid.worker;

import java.util.HashMap;
import java.util.Map;

/**
 * Whose turn it is for this worker's free slots, by slot time: start-time fair queuing between
 * tenants over the slot-nanoseconds their tasks used here, in proportion to their weights.
 *
 * <p>Each tenant has a virtual time: the slot time charged to it over its weight. A task is
 * charged when it is handed to this worker, at the tenant's average run time here, and
 * corrected to what it really took when it finishes (or refunded when it never runs); slots
 * lent and not yet answered count at the average too, so one round of offers does not give
 * everything to the same tenant. The waiting tenant with the smallest virtual time goes next. A
 * tenant that comes back after being idle starts at the smallest virtual time of those at work,
 * so it gets its share from then on and no credit for the time it was away; an idle tenant's
 * share goes to the others at once (nothing is reserved). A tenant is at work while it has a
 * task here, slots lent or a supervisor waiting: one that is only between two of its tasks
 * keeps its place.
 */
final class FairShare {
  /** Weight of the newest run time in a tenant's average. */
  private static final double ALPHA = 0.2;
  /** The charge of a task before any of its tenant's tasks has run here: a millisecond. */
  private static final double FIRST_GUESS_NANOS = 1e6;

  private final Map<String, Double> weights;
  private final Map<String, Tenant> tenants = new HashMap<>();

  private static final class Tenant {
    final double weight;
    double chargedNanos;
    double averageNanos = Double.NaN;
    /** Tasks queued or running here, slots lent and not yet answered, supervisors waiting. */
    int tasks;
    int lent;
    int asking;

    Tenant(double weight) {
      this.weight = weight;
    }

    double estimate() {
      return Double.isNaN(averageNanos) ? FIRST_GUESS_NANOS : averageNanos;
    }

    double virtualTime() {
      return (chargedNanos + lent * estimate()) / weight;
    }

    boolean atWork() {
      return tasks > 0 || lent > 0 || asking > 0;
    }
  }

  /** @param weights a tenant's share relative to the others; a tenant not named weighs 1 */
  FairShare(Map<String, Double> weights) {
    this.weights = Map.copyOf(weights);
  }

  /** The tenant's virtual time; lower goes first. */
  double virtualTime(String tenant) {
    return tenant(tenant).virtualTime();
  }

  /** A supervisor of {@code tenant} waits for slots. */
  void asks(String tenant) {
    Tenant t = tenant(tenant);
    if (!t.atWork()) {
      catchUp(t);
    }
    t.asking++;
  }

  /** A supervisor of {@code tenant} no longer waits: it was lent slots, or went away. */
  void stopsAsking(String tenant) {
    tenant(tenant).asking--;
  }

  /** Slots were lent to a supervisor of {@code tenant}. */
  void lent(String tenant, int slots) {
    tenant(tenant).lent += slots;
  }

  /** Lent slots came back: answered, expired or the supervisor gone. */
  void returned(String tenant, int slots) {
    tenant(tenant).lent -= slots;
  }

  /** A task of {@code tenant} was handed to this worker; returns what it was charged. */
  double handedOut(String tenant) {
    Tenant t = tenant(tenant);
    if (!t.atWork()) {
      catchUp(t);
    }
    double charge = t.estimate();
    t.chargedNanos += charge;
    t.tasks++;
    return charge;
  }

  /** The task ran {@code nanos}: the charge made when it was handed out becomes that. */
  void finished(String tenant, double charged, long nanos) {
    Tenant t = tenant(tenant);
    t.chargedNanos += nanos - charged;
    t.tasks--;
    t.averageNanos = Double.isNaN(t.averageNanos) ? nanos
        : t.averageNanos + ALPHA * (nanos - t.averageNanos);
  }

  /** The task will not run here (cancelled, its supervisor gone): its charge is refunded. */
  void dropped(String tenant, double charged) {
    Tenant t = tenant(tenant);
    t.chargedNanos -= charged;
    t.tasks--;
  }

  private Tenant tenant(String name) {
    return tenants.computeIfAbsent(name, n -> new Tenant(weights.getOrDefault(n, 1.0)));
  }

  /** A tenant coming back from idle starts level with the least served of those at work. */
  private void catchUp(Tenant back) {
    double least = Double.NaN;
    for (Tenant t : tenants.values()) {
      if (t != back && t.atWork()) {
        double v = t.virtualTime();
        least = Double.isNaN(least) ? v : Math.min(least, v);
      }
    }
    if (!Double.isNaN(least) && back.virtualTime() < least) {
      back.chargedNanos = least * back.weight - back.lent * back.estimate();
    }
  }
}
