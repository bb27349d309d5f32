package com.calcgrid.api.submit;

import com.calcgrid.api.Problems;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The bounded submission queues of one node, in two stages. At most {@code maxInFlight}
 * submissions are read and validated at once, at most {@code maxInFlightPerTenant} of them from
 * one tenant; past either bound a submission is refused at once, before its body is read, so
 * memory stays bounded by {@code maxInFlight} bodies. A validated submission then gives its
 * place back and takes one among those waiting for their job's supervisor, bounded the same
 * way ({@code maxWaiting}, {@code maxWaitingPerTenant}).
 *
 * <p>Two stages because the wait for a supervisor is the one step that can take long: while a
 * node stops answering (a partition, a pause, a crash, until it is downed), the submissions
 * whose job lives there wait for the ask timeout. In one queue they would take every place and
 * refuse the submissions that could be served at once.
 *
 * <p>The per-tenant bounds are well below the node's, so one desk's flood takes at most its
 * share and the others' submissions still get in.
 */
public final class Admission {
  /** How long a refused caller should wait: submissions finish in milliseconds. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /** A place in a queue; {@link #release()} gives it back (only the first call counts). */
  public static final class Permit {
    private final Pool pool;
    private final String tenant;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(Pool pool, String tenant) {
      this.pool = pool;
      this.tenant = tenant;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        pool.leave(tenant);
      }
    }
  }

  /** Either a permit or the response that refuses one. */
  public record Entry(Permit permit, HttpResponse refusal) {}

  /**
   * @param maxInFlight submissions read and validated at once on this node
   * @param maxInFlightPerTenant ... of them from one tenant
   * @param maxWaiting validated submissions waiting for their supervisor on this node
   * @param maxWaitingPerTenant ... of them from one tenant
   */
  public record Settings(int maxInFlight, int maxInFlightPerTenant, int maxWaiting,
      int maxWaitingPerTenant) {
    public Settings {
      if (maxInFlight < 1 || maxInFlightPerTenant < 1 || maxWaiting < 1
          || maxWaitingPerTenant < 1) {
        throw new IllegalArgumentException("calcgrid.limits.max-submissions-in-flight, "
            + "max-submissions-waiting and their per-tenant shares must be at least 1");
      }
    }

    public static Settings fromConfig(com.typesafe.config.Config config) {
      return new Settings(config.getInt("calcgrid.limits.max-submissions-in-flight"),
          config.getInt("calcgrid.limits.max-submissions-in-flight-per-tenant"),
          config.getInt("calcgrid.limits.max-submissions-waiting"),
          config.getInt("calcgrid.limits.max-submissions-waiting-per-tenant"));
    }
  }

  private final Pool reading;
  private final Pool waiting;

  public static Admission fromConfig(com.typesafe.config.Config config) {
    return new Admission(Settings.fromConfig(config));
  }

  public Admission(Settings settings) {
    this.reading = new Pool(settings.maxInFlight(), settings.maxInFlightPerTenant());
    this.waiting = new Pool(settings.maxWaiting(), settings.maxWaitingPerTenant());
  }

  /** Takes a place for reading and validating one submission of {@code tenant}. */
  public Entry enter(String tenant) {
    return take(reading, tenant, "in progress", "takes");
  }

  /** Takes a place for a validated submission of {@code tenant} to wait for its supervisor. */
  public Entry await(String tenant) {
    return take(waiting, tenant, "waiting for their jobs to be stored", "holds");
  }

  private static Entry take(Pool pool, String tenant, String state, String verb) {
    return switch (pool.enter(tenant)) {
      case TAKEN -> new Entry(new Permit(pool, tenant), null);
      case TENANT_FULL -> new Entry(null, Problems.tooManyRequests("too-many-submissions",
          "Too many submissions in progress", "tenant '" + tenant + "' already has "
              + pool.perTenantMax + " submissions " + state + " on this node, the most it may "
              + "have; retry shortly", RETRY_AFTER));
      case NODE_FULL -> new Entry(null, Problems.unavailable("this node already has " + pool.max
          + " submissions " + state + ", the most it " + verb + " at once; retry shortly",
          RETRY_AFTER));
    };
  }

  /** Submissions being read and validated now. */
  public int inFlight() {
    return reading.now.get();
  }

  /** The most submissions that were ever read and validated at once on this node. */
  public int peakInFlight() {
    return reading.peak.get();
  }

  /** Validated submissions waiting for their supervisor now. */
  public int waiting() {
    return waiting.now.get();
  }

  public int maxInFlight() {
    return reading.max;
  }

  public int maxInFlightPerTenant() {
    return reading.perTenantMax;
  }

  private enum Outcome { TAKEN, TENANT_FULL, NODE_FULL }

  /** A bound per node and a smaller one per tenant. */
  private static final class Pool {
    final int max;
    final int perTenantMax;
    final AtomicInteger now = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    private final Map<String, Integer> perTenant = new ConcurrentHashMap<>();

    /** Bounds checked by {@link Settings}. */
    Pool(int max, int perTenantMax) {
      this.max = max;
      this.perTenantMax = Math.min(perTenantMax, max);
    }

    Outcome enter(String tenant) {
      boolean[] tenantFull = {false};
      perTenant.compute(tenant, (t, n) -> {
        int held = n == null ? 0 : n;
        if (held >= perTenantMax) {
          tenantFull[0] = true;
          return n;
        }
        return held + 1;
      });
      if (tenantFull[0]) {
        return Outcome.TENANT_FULL;
      }
      int held = now.incrementAndGet();
      if (held > max) {
        now.decrementAndGet();
        decrementTenant(tenant);
        return Outcome.NODE_FULL;
      }
      peak.accumulateAndGet(held, Math::max);
      return Outcome.TAKEN;
    }

    void leave(String tenant) {
      now.decrementAndGet();
      decrementTenant(tenant);
    }

    private void decrementTenant(String tenant) {
      perTenant.computeIfPresent(tenant, (t, n) -> n <= 1 ? null : n - 1);
    }
  }
}
