package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order in which ready tasks leave the queue. */
class ReadyQueueTest {
  private final byte[] status = new byte[20];

  ReadyQueueTest() {
    Arrays.fill(status, (byte) TaskStatus.READY.ordinal());
  }

  private List<Integer> drain(ReadyQueue q) {
    List<Integer> out = new ArrayList<>();
    int i;
    while ((i = q.poll(status)) >= 0) {
      out.add(i);
    }
    return out;
  }

  @Test
  void higherPriorityFirstAndFirstInFirstOutAmongEquals() {
    ReadyQueue q = new ReadyQueue();
    q.add(0, 3, 5);
    q.add(10, 12, 9);
    q.add(5, 6, 5);
    q.add(7, 8, 1);
    q.add(15, 16, 9);
    assertEquals(List.of(10, 11, 15, 0, 1, 2, 5, 7), drain(q));
  }

  @Test
  void tasksThatAreNoLongerReadyArePassedOver() {
    ReadyQueue q = new ReadyQueue();
    q.add(0, 4, 2);
    q.add(8, 9, 7);
    status[8] = (byte) TaskStatus.CANCELLED.ordinal();
    status[1] = (byte) TaskStatus.RUNNING.ordinal();
    assertEquals(0, q.peek(status));
    assertEquals(List.of(0, 2, 3), drain(q));
    assertEquals(-1, q.peek(status));
  }

  @Test
  void aTaskQueuedAgainLaterWaitsBehindItsEquals() {
    ReadyQueue q = new ReadyQueue();
    q.add(0, 2, 3);
    assertEquals(0, q.poll(status));
    q.add(0, 1, 3);
    q.add(4, 5, 4);
    assertEquals(List.of(4, 1, 0), drain(q));
  }

  @Test
  void aTaskWhoseWorkerWasLostGoesAheadOfItsEqualsButNotOfHigherPriorities() {
    ReadyQueue q = new ReadyQueue();
    q.add(0, 4, 3);
    assertEquals(0, q.poll(status));
    q.add(9, 10, 5);
    q.addFirst(0, 1, 3);
    assertEquals(List.of(9, 0, 1, 2, 3), drain(q));
  }
}
