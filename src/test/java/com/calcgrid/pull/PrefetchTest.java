package com.calcgrid.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The worker's queue beyond its slots: deep for tiny tasks, none for long ones, bounded. */
class PrefetchTest {

  @Test
  void nothingIsQueuedBeforeARunTimeIsKnown() {
    assertEquals(0, new Prefetch(4, 512, 50).depth());
  }

  @Test
  void tinyTasksFillTheQueueUpToItsBound() {
    Prefetch p = new Prefetch(2, 512, 50);
    for (int i = 0; i < 50; i++) {
      p.ran(0.0);
    }
    assertEquals(512, p.depth());
  }

  @Test
  void theQueueCoversTheConfiguredTimeAtTheObservedRunTime() {
    Prefetch p = new Prefetch(2, 512, 50);
    p.ran(10);
    assertEquals(10, p.depth(), "2 slots x 50 ms / 10 ms a task");
  }

  @Test
  void longTasksAreNeverHoarded() {
    Prefetch p = new Prefetch(8, 512, 50);
    for (int i = 0; i < 50; i++) {
      p.ran(0.05);
    }
    assertTrue(p.depth() > 0);
    for (int i = 0; i < 50; i++) {
      p.ran(1000);
    }
    assertEquals(0, p.depth(), "the average follows the newest run times");
  }

  @Test
  void aZeroBoundTurnsPrefetchOff() {
    Prefetch p = new Prefetch(2, 0, 50);
    p.ran(0.01);
    assertEquals(0, p.depth());
  }
}
