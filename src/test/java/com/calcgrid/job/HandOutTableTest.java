package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-out table answers as a map of task to dispatch id and deadline would. */
class HandOutTableTest {

  @Test
  void putsAndRemovesInAnyOrderAgreeWithAMap() {
    Random random = new Random(17);
    HandOutTable table = new HandOutTable();
    Map<Integer, Long> expected = new HashMap<>();
    for (int step = 0; step < 200_000; step++) {
      // keys from a small range collide often; growth and removal both happen many times
      int task = random.nextInt(step < 100_000 ? 3_000 : 1_000_000);
      if (random.nextInt(3) == 0) {
        table.remove(task);
        expected.remove(task);
      } else {
        long id = random.nextLong();
        table.put(task, id, null, id ^ 7);
        expected.put(task, id);
      }
      if (step % 10_000 == 0) {
        assertSame(expected, table);
      }
    }
    assertSame(expected, table);
    for (int task : expected.keySet().toArray(new Integer[0])) {
      table.remove(task);
    }
    assertEquals(0, table.size());
    assertEquals(-1, table.find(expected.keySet().iterator().next()));
  }

  @Test
  void clearForgetsEveryHandOut() {
    HandOutTable table = new HandOutTable();
    for (int task = 0; task < 100; task++) {
      table.put(task, task, null, 0);
    }
    table.clear();
    assertEquals(0, table.size());
    for (int task = 0; task < 100; task++) {
      assertEquals(-1, table.find(task));
    }
  }

  private static void assertSame(Map<Integer, Long> expected, HandOutTable table) {
    assertEquals(expected.size(), table.size());
    int seen = 0;
    for (int slot = 0; slot < table.capacity(); slot++) {
      int task = table.taskAt(slot);
      if (task >= 0) {
        seen++;
        assertEquals(expected.get(task), table.dispatchIdAt(slot), "task " + task);
        assertEquals(expected.get(task) ^ 7, table.deadlineAt(slot), "task " + task);
      }
    }
    assertEquals(expected.size(), seen);
    for (Map.Entry<Integer, Long> e : expected.entrySet()) {
      int slot = table.find(e.getKey());
      assertEquals(e.getValue(), table.dispatchIdAt(slot), "task " + e.getKey());
    }
  }
}
