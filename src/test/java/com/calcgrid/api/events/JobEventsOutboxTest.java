package com.calcgrid.api.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** What one WebSocket client is sent, and in which order, when it reads slower than the job. */
class JobEventsOutboxTest {
  private static final Runnable NOBODY = () -> { };

  private static List<String> drain(JobEventsOutbox o) {
    List<String> sent = new ArrayList<>();
    for (String s = o.poll(NOBODY); s != null; s = o.poll(NOBODY)) {
      sent.add(s);
      if (o.ended()) {
        break;
      }
    }
    return sent;
  }

  @Test
  void taskFramesComeBeforeTheProgressThatFollowsThemAndProgressIsCoalesced() {
    JobEventsOutbox o = new JobEventsOutbox(100, true);
    o.snapshot("S", 0);
    o.tasks("T1", 2, 1);
    o.progress("{\"p\":1", 1);
    o.tasks("T2", 2, 2);
    o.progress("{\"p\":2", 2);
    // the client read nothing until now: only the latest progress is left, after both frames
    assertEquals(List.of("S", "T1", "T2", "{\"p\":2}"), drain(o));
  }

  @Test
  void aFullQueueDropsTaskFramesAndTheNextProgressCountsThem() {
    JobEventsOutbox o = new JobEventsOutbox(3, true);
    o.tasks("T1", 2, 1);
    o.tasks("T2", 2, 2);
    o.tasks("T3", 5, 3);
    o.progress("{\"p\":3", 3);
    assertEquals(List.of("T1", "T2", "{\"p\":3,\"droppedTaskEvents\":5}"), drain(o));
  }

  @Test
  void finishedJumpsAheadOfTaskFramesOfEarlierFlushesWhichCountAsDropped() {
    JobEventsOutbox o = new JobEventsOutbox(1000, true);
    o.snapshot("S", 0);
    for (int seq = 1; seq <= 50; seq++) {
      o.tasks("T" + seq, 10, seq);
      o.progress("{\"p\":" + seq, seq);
    }
    o.finish("F", 50);
    assertEquals(List.of("S", "T50", "{\"p\":50,\"droppedTaskEvents\":490}", "F"), drain(o));
    assertTrue(o.ended());
    assertEquals(490, o.dropped());
  }

  @Test
  void finishedIsDeliveredWhenTheQueueIsFull() {
    JobEventsOutbox o = new JobEventsOutbox(10, true);
    o.tasks("T1", 10, 1);
    o.progress("{\"p\":1", 1);
    o.tasks("T2", 10, 2);
    o.finish("F", 3);
    List<String> sent = drain(o);
    assertEquals("F", sent.get(sent.size() - 1));
    assertEquals(List.of("{\"p\":1,\"droppedTaskEvents\":20}", "F"), sent);
  }

  @Test
  void aClientThatKeepsUpLosesNothingAtTheEnd() {
    JobEventsOutbox o = new JobEventsOutbox(100, true);
    o.snapshot("S", 0);
    assertEquals(List.of("S"), drain(o));
    o.tasks("T1", 3, 1);
    o.progress("{\"p\":1", 1);
    o.finish("F", 1);
    assertEquals(List.of("T1", "{\"p\":1}", "F"), drain(o));
    assertEquals(0, o.dropped());
  }

  @Test
  void progressOnlyClientsGetNoTaskFrames() {
    JobEventsOutbox o = new JobEventsOutbox(100, false);
    o.snapshot("S", 0);
    o.tasks("T1", 3, 1);
    o.progress("{\"p\":1", 1);
    o.finish("F", 1);
    assertEquals(List.of("S", "{\"p\":1}", "F"), drain(o));
  }

  @Test
  void aWaitingSocketIsWokenOnceByTheNextFrame() {
    JobEventsOutbox o = new JobEventsOutbox(100, true);
    AtomicInteger woken = new AtomicInteger();
    assertNull(o.poll(woken::incrementAndGet));
    o.tasks("T1", 1, 1);
    o.progress("{\"p\":1", 1);
    assertEquals(1, woken.get());
    assertEquals("T1", o.poll(woken::incrementAndGet));
    assertFalse(o.ended());
  }

  @Test
  void finishingWhileProgressIsPendingAndTheLastFlushIsQueuedStillEndsWithFinished() {
    JobEventsOutbox o = new JobEventsOutbox(100, true);
    o.tasks("T1", 2, 1);
    o.progress("{\"p\":1", 1);
    // flush 2's task frame is queued, its progress not yet offered, when the job ends
    o.tasks("T2", 3, 2);
    o.finish("F", 2);
    assertEquals(List.of("{\"p\":1,\"droppedTaskEvents\":2}", "T2", "F"), drain(o));
    assertTrue(o.ended());
  }

  @Test
  void aSocketWaitingOnAnEmptyOutboxIsWokenByEveryKindOfFrame() {
    List<Consumer<JobEventsOutbox>> kinds = List.of(
        o -> o.snapshot("S", 1),
        o -> o.tasks("T", 1, 1),
        o -> o.progress("{\"p\":1", 1),
        o -> o.finish("F", 1));
    for (Consumer<JobEventsOutbox> kind : kinds) {
      JobEventsOutbox o = new JobEventsOutbox(100, true);
      AtomicInteger woken = new AtomicInteger();
      assertNull(o.poll(woken::incrementAndGet));
      kind.accept(o);
      assertEquals(1, woken.get());
      assertEquals(1, drain(o).size());
    }
  }

  @Test
  void aProgressOnlySocketWaitingWhenTheJobEndsIsWokenForFinished() {
    JobEventsOutbox o = new JobEventsOutbox(100, false);
    AtomicInteger woken = new AtomicInteger();
    assertNull(o.poll(woken::incrementAndGet));
    o.tasks("T1", 1, 1);
    assertEquals(0, woken.get(), "a frame this client never gets wakes nothing");
    o.finish("F", 1);
    assertEquals(1, woken.get());
    assertEquals(List.of("F"), drain(o));
  }

  @Test
  void aHubAndASocketOnTwoThreadsAlwaysReachFinished() throws Exception {
    // every interleaving of the hub's adds with the socket's polls and wake-ups, sampled: the
    // socket must never wait for a wake-up that does not come while the end is not sent
    for (int run = 0; run < 300; run++) {
      JobEventsOutbox o = new JobEventsOutbox(8, run % 2 == 0);
      Thread hub = new Thread(() -> {
        for (int seq = 1; seq <= 50; seq++) {
          o.tasks("T" + seq, 3, seq);
          o.progress("{\"p\":" + seq, seq);
        }
        o.finish("F", 50);
      });
      Semaphore wake = new Semaphore(0);
      hub.start();
      List<String> sent = new ArrayList<>();
      while (!o.ended()) {
        String s = o.poll(wake::release);
        if (s != null) {
          sent.add(s);
        } else if (!wake.tryAcquire(30, TimeUnit.SECONDS)) {
          fail("run " + run + ": the socket waits, never woken; sent so far " + sent);
        }
      }
      hub.join();
      assertEquals("F", sent.get(sent.size() - 1));
    }
  }
}
