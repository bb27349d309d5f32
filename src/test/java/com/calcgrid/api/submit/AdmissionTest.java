package com.calcgrid.api.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two stages of the submission queue and their bounds, per node and per tenant. */
class AdmissionTest {
  private final Admission admission = new Admission(new Admission.Settings(4, 2, 6, 3));

  @Test
  void readingPlacesAreBoundedPerTenantWith429AndPerNodeWith503() {
    take(admission.enter("a"));
    take(admission.enter("a"));
    assertEquals(429, admission.enter("a").refusal().status().intValue());
    take(admission.enter("b"));
    Admission.Permit last = take(admission.enter("c"));
    assertEquals(503, admission.enter("d").refusal().status().intValue());
    assertEquals(4, admission.inFlight());
    last.release();
    last.release(); // only the first release counts
    assertEquals(3, admission.inFlight());
    take(admission.enter("d"));
    assertEquals(4, admission.peakInFlight());
  }

  @Test
  void waitingSubmissionsLeaveTheReadingPlacesToOthers() {
    List<Admission.Permit> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Admission.Permit reading = take(admission.enter("a"));
      waiting.add(take(admission.await("a")));
      reading.release();
    }
    // tenant a has three submissions waiting and none being read: it may send more
    assertEquals(0, admission.inFlight());
    assertEquals(3, admission.waiting());
    take(admission.enter("a"));
    take(admission.enter("a"));
    // but not wait with a fourth
    assertEquals(429, admission.await("a").refusal().status().intValue());
    take(admission.await("b"));
    take(admission.await("b"));
    take(admission.await("c"));
    assertEquals(503, admission.await("d").refusal().status().intValue());
    waiting.get(0).release();
    assertEquals(5, admission.waiting());
    take(admission.await("d"));
  }

  private static Admission.Permit take(Admission.Entry entry) {
    assertNull(entry.refusal());
    assertNotNull(entry.permit());
    return entry.permit();
  }
}
