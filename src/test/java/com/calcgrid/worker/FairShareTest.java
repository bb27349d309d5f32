package com.calcgrid.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start-time fair queuing between tenants over slot time, one slot given at a time. */
class FairShareTest {

  /** Gives one slot at a time to the waiting tenant with the least virtual time. */
  private static Map<String, Long> run(FairShare fair, List<String> tenants,
      Map<String, Long> taskNanos, int tasks) {
    Map<String, Long> used = new HashMap<>();
    // every tenant has a supervisor waiting throughout: all are backlogged
    tenants.forEach(fair::asks);
    for (int i = 0; i < tasks; i++) {
      String next = tenants.get(0);
      for (String t : tenants) {
        if (fair.virtualTime(t) < fair.virtualTime(next)) {
          next = t;
        }
      }
      fair.lent(next, 1);
      fair.returned(next, 1);
      double charge = fair.handedOut(next);
      long nanos = taskNanos.get(next);
      fair.finished(next, charge, nanos);
      used.merge(next, nanos, Long::sum);
    }
    tenants.forEach(fair::stopsAsking);
    return used;
  }

  @Test
  void slotTimeIsSplitByWeight() {
    FairShare fair = new FairShare(Map.of("alpha", 3.0, "beta", 1.0));
    Map<String, Long> used = run(fair, List.of("alpha", "beta"),
        Map.of("alpha", 10_000_000L, "beta", 10_000_000L), 4_000);
    double ratio = (double) used.get("alpha") / used.get("beta");
    assertEquals(3.0, ratio, 0.05, used.toString());
  }

  @Test
  void slotTimeNotTaskCountsIsWhatIsShared() {
    // beta's tasks take four times as long: equal weights give it a quarter of the tasks
    FairShare fair = new FairShare(Map.of());
    Map<String, Long> used = run(fair, List.of("alpha", "beta"),
        Map.of("alpha", 5_000_000L, "beta", 20_000_000L), 5_000);
    double ratio = (double) used.get("alpha") / used.get("beta");
    assertEquals(1.0, ratio, 0.05, used.toString());
  }

  @Test
  void aTenantBackFromIdleGetsItsShareFromThenOnNotTheTimeItWasAway() {
    FairShare fair = new FairShare(Map.of());
    // alpha alone for a long while, and still at work when beta comes
    fair.asks("alpha");
    run(fair, List.of("alpha"), Map.of("alpha", 10_000_000L), 1_000);
    // beta arrives: it starts level with alpha, so the next slots are shared, not all beta's
    Map<String, Long> used = run(fair, List.of("alpha", "beta"),
        Map.of("alpha", 10_000_000L, "beta", 10_000_000L), 200);
    double ratio = (double) used.get("alpha") / used.get("beta");
    assertEquals(1.0, ratio, 0.1, used.toString());
  }

  @Test
  void aDroppedTaskIsRefunded() {
    FairShare fair = new FairShare(Map.of());
    fair.asks("alpha");
    double before = fair.virtualTime("alpha");
    double charge = fair.handedOut("alpha");
    assertTrue(fair.virtualTime("alpha") > before);
    fair.dropped("alpha", charge);
    assertEquals(before, fair.virtualTime("alpha"), 1e-6);
  }

  @Test
  void weightsAreParsedAndBadOnesNamed() {
    assertEquals(Map.of("alpha", 3.0, "beta", 0.5), TenantWeights.parse(" alpha=3, beta=0.5 "));
    assertEquals(Map.of(), TenantWeights.parse(""));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TenantWeights.parse("alpha=3,beta")).getMessage().contains("'beta'"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TenantWeights.parse("alpha=0")).getMessage().contains("above 0"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TenantWeights.parse("alpha=x")).getMessage().contains("not a number"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> TenantWeights.parse("alpha=1,alpha=2")).getMessage().contains("twice"));
  }
}
