package com.calcgrid.api.submit;

import com.calcgrid.api.Problems;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The bounded submission queue of one node: at most {@code maxInFlight} submissions are read,
 * validated and stored at once, and at most {@code maxInFlightPerTenant} of them come from one
 * tenant. Past either bound a submission is refused at once, before its body is read: it never
 * waits, and memory stays bounded by {@code maxInFlight} bodies.
 *
 * <p>The per-tenant bound is well below the node's, so one desk's flood takes at most its share
 * and the others' submissions still get in.
 */
public final class Admission {
  /** How long a refused caller should wait: submissions finish in milliseconds. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /** A place in the queue; {@link #release()} gives it back (only the first call counts). */
  public final class Permit {
    private final String tenant;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(String tenant) {
      this.tenant = tenant;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        leave(tenant);
      }
    }
  }

  /** Either a permit or the response that refuses one. */
  public record Entry(Permit permit, HttpResponse refusal) {}

  private final int maxInFlight;
  private final int maxInFlightPerTenant;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger peak = new AtomicInteger();
  private final Map<String, Integer> perTenant = new ConcurrentHashMap<>();

  /** Reads calcgrid.limits.max-submissions-in-flight and its per-tenant share. */
  public static Admission fromConfig(com.typesafe.config.Config config) {
    return new Admission(config.getInt("calcgrid.limits.max-submissions-in-flight"),
        config.getInt("calcgrid.limits.max-submissions-in-flight-per-tenant"));
  }

  public Admission(int maxInFlight, int maxInFlightPerTenant) {
    if (maxInFlight < 1 || maxInFlightPerTenant < 1) {
      throw new IllegalArgumentException("submission limits must be at least 1");
    }
    this.maxInFlight = maxInFlight;
    this.maxInFlightPerTenant = Math.min(maxInFlightPerTenant, maxInFlight);
  }

  /** Takes a place for one submission of {@code tenant}, or says why there is none. */
  public Entry enter(String tenant) {
    boolean[] tenantFull = {false};
    perTenant.compute(tenant, (t, n) -> {
      int now = n == null ? 0 : n;
      if (now >= maxInFlightPerTenant) {
        tenantFull[0] = true;
        return n;
      }
      return now + 1;
    });
    if (tenantFull[0]) {
      return new Entry(null, Problems.tooManyRequests("too-many-submissions",
          "Too many submissions in progress",
          "tenant '" + tenant + "' already has " + maxInFlightPerTenant + " submissions in "
              + "progress on this node, the most it may have; retry shortly", RETRY_AFTER));
    }
    int now = inFlight.incrementAndGet();
    if (now > maxInFlight) {
      inFlight.decrementAndGet();
      decrementTenant(tenant);
      return new Entry(null, Problems.unavailable("this node already has " + maxInFlight
          + " submissions in progress, the most it takes at once; retry shortly", RETRY_AFTER));
    }
    peak.accumulateAndGet(now, Math::max);
    return new Entry(new Permit(tenant), null);
  }

  private void leave(String tenant) {
    inFlight.decrementAndGet();
    decrementTenant(tenant);
  }

  private void decrementTenant(String tenant) {
    perTenant.computeIfPresent(tenant, (t, n) -> n <= 1 ? null : n - 1);
  }

  /** Submissions in progress now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** The most submissions that were ever in progress at once on this node. */
  public int peakInFlight() {
    return peak.get();
  }

  public int maxInFlight() {
    return maxInFlight;
  }

  public int maxInFlightPerTenant() {
    return maxInFlightPerTenant;
  }
}
