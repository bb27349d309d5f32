package com.calcgrid.worker;

import com.calcgrid.pull.RequestWork;
import com.calcgrid.pull.RunTasks;
import com.calcgrid.pull.SlotsOffered;
import com.calcgrid.pull.TaskAssignment;
import com.calcgrid.pull.TaskFinished;
import com.calcgrid.pull.Worker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.api.Json;
import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.job.JobSupervisor;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The worker agent with probes playing the supervisors: credit lent in an offer comes back when
 * the offer is never answered, a late answer still runs its tasks without returning the credit
 * twice, and results over the size limit never leave the worker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerAgentTest {
  private static final Duration OFFER_TIMEOUT = Duration.ofMillis(400);
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
      "pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  private final FunctionRegistry functions = FunctionRegistry.load();

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  private ActorRef<Worker> agent(int slots, long maxResultBytes) {
    return agent(slots, maxResultBytes, OFFER_TIMEOUT);
  }

  private ActorRef<Worker> agent(int slots, long maxResultBytes,
      Duration offerTimeout) {
    return testKit.spawn(WorkerAgent.create(new WorkerAgent.Settings(slots, 0,
        Duration.ofMillis(50), offerTimeout, maxResultBytes), "w:1", functions, Json.MAPPER));
  }

  private static TaskAssignment task(String job, int i, String fn, String params,
      long maxResultBytes) throws Exception {
    return new TaskAssignment(job, i, "t[" + i + "]", 1, 100 + i, fn,
        (ObjectNode) Json.MAPPER.readTree(params), Map.of(), 10_000, maxResultBytes);
  }

  @Test
  void anOfferThatIsNeverAnsweredExpiresAndItsSlotsAreOfferedAgain() {
    ActorRef<Worker> agent = agent(2, 1 << 20);
    TestProbe<JobSupervisor.Command> a = testKit.createTestProbe();
    TestProbe<JobSupervisor.Command> b = testKit.createTestProbe();
    agent.tell(new RequestWork("a", a.ref()));
    SlotsOffered lost = a.expectMessageClass(SlotsOffered.class);
    assertEquals(2, lost.slots());
    // every slot is lent to a, which never answers: b must wait, but not for ever
    agent.tell(new RequestWork("b", b.ref()));
    SlotsOffered toB = b.expectMessageClass(SlotsOffered.class,
        PATIENCE);
    assertEquals(2, toB.slots(), "the expired offer's credit came back whole");
    a.expectNoMessage(OFFER_TIMEOUT.multipliedBy(2));
  }

  @Test
  void aRequestWhileAnOfferIsOutIsHonouredWhenTheOfferExpires() {
    ActorRef<Worker> agent = agent(2, 1 << 20);
    TestProbe<JobSupervisor.Command> a = testKit.createTestProbe();
    agent.tell(new RequestWork("a", a.ref()));
    long first = a.expectMessageClass(SlotsOffered.class).offerId();
    // the supervisor never saw the offer and asks again (its sweep does)
    agent.tell(new RequestWork("a", a.ref()));
    SlotsOffered again = a.expectMessageClass(SlotsOffered.class,
        PATIENCE);
    assertNotEquals(first, again.offerId());
    assertEquals(2, again.slots());
  }

  @Test
  void aRequestAfterAnExpiryIsHonoured() {
    ActorRef<Worker> agent = agent(2, 1 << 20);
    TestProbe<JobSupervisor.Command> a = testKit.createTestProbe();
    agent.tell(new RequestWork("a", a.ref()));
    a.expectMessageClass(SlotsOffered.class);
    // not asked again: the expiry offers nothing new by itself
    a.expectNoMessage(OFFER_TIMEOUT.multipliedBy(3));
    agent.tell(new RequestWork("a", a.ref()));
    assertEquals(2, a.expectMessageClass(SlotsOffered.class).slots());
  }

  @Test
  void aLateAnswerRunsItsTasksButItsCreditIsNotReturnedTwice() throws Exception {
    // long enough that b's offer below is still out while a's late task runs
    ActorRef<Worker> agent = agent(2, 1 << 20, Duration.ofSeconds(3));
    TestProbe<JobSupervisor.Command> a = testKit.createTestProbe();
    TestProbe<JobSupervisor.Command> b = testKit.createTestProbe();
    TestProbe<JobSupervisor.Command> c = testKit.createTestProbe();
    agent.tell(new RequestWork("a", a.ref()));
    long expired = a.expectMessageClass(SlotsOffered.class).offerId();
    agent.tell(new RequestWork("b", b.ref()));
    SlotsOffered toB = b.expectMessageClass(SlotsOffered.class,
        PATIENCE);
    // a's answer arrives after its offer expired: its task is a valid hand-out and runs
    agent.tell(new RunTasks("a", a.ref(), 2,
        List.of(task("a", 0, "util.sleep", "{\"ms\": 300, \"value\": 7}", 0)), false, expired));
    agent.tell(new RequestWork("c", c.ref()));
    // b still holds both slots' credit and one slot runs a's task: nothing is left for c. Had
    // the late answer returned the expired offer's credit again, c would get an offer now.
    c.expectNoMessage(Duration.ofMillis(300));
    TaskFinished done = a.expectMessageClass(TaskFinished.class,
        PATIENCE);
    assertTrue(done.succeeded());
    assertEquals("7", done.result());
    // b answers: its credit returns and c is served
    agent.tell(new RunTasks("b", b.ref(), toB.slots(), List.of(), false,
        toB.offerId()));
    assertEquals(2, c.expectMessageClass(SlotsOffered.class, PATIENCE).slots());
  }

  @Test
  void interactiveWorkIsLentSlotsThoughBatchFillsTheQueueAndRunsBeforeTheQueuedBatch()
      throws Exception {
    ActorRef<Worker> agent = agent(1, 1 << 20);
    TestProbe<JobSupervisor.Command> batch = testKit.createTestProbe();
    TestProbe<JobSupervisor.Command> desk = testKit.createTestProbe();
    agent.tell(new RequestWork("b", batch.ref(), "batch-desk", 1));
    SlotsOffered toBatch = batch.expectMessageClass(SlotsOffered.class);
    // one running and two queued: no slot or queue place is left for another batch job
    agent.tell(new RunTasks("b", batch.ref(), toBatch.slots(), List.of(
        task("b", 0, "util.sleep", "{\"ms\": 300, \"value\": 0}", 0),
        task("b", 1, "util.sleep", "{\"ms\": 300, \"value\": 1}", 0),
        task("b", 2, "util.sleep", "{\"ms\": 300, \"value\": 2}", 0)), false,
        toBatch.offerId()));
    agent.tell(new RequestWork("i", desk.ref(), "trader", 0));
    SlotsOffered toDesk = desk.expectMessageClass(SlotsOffered.class, PATIENCE);
    agent.tell(new RunTasks("i", desk.ref(), toDesk.slots(),
        List.of(task("i", 0, "util.sleep", "{\"ms\": 10, \"value\": 9}", 0)), false,
        toDesk.offerId()));
    TaskFinished first = batch.expectMessageClass(TaskFinished.class, PATIENCE);
    TaskFinished interactive = desk.expectMessageClass(TaskFinished.class, PATIENCE);
    TaskFinished second = batch.expectMessageClass(TaskFinished.class, PATIENCE);
    assertEquals("0", first.result());
    assertEquals("1", second.result());
    assertTrue(interactive.finishedAt() <= second.startedAt(),
        "the interactive task ran as soon as the running batch task ended, before the queued "
            + "batch tasks: " + interactive + " " + second);
  }

  @Test
  void withinAClassAJobAtRiskOfItsDeadlineIsServedFirst() throws Exception {
    ActorRef<Worker> agent = agent(1, 1 << 20);
    TestProbe<JobSupervisor.Command> busy = testKit.createTestProbe();
    TestProbe<JobSupervisor.Command> onTime = testKit.createTestProbe();
    TestProbe<JobSupervisor.Command> late = testKit.createTestProbe();
    agent.tell(new RequestWork("x", busy.ref(), "desk", 1));
    SlotsOffered toBusy = busy.expectMessageClass(SlotsOffered.class);
    agent.tell(new RunTasks("x", busy.ref(), toBusy.slots(),
        List.of(task("x", 0, "util.sleep", "{\"ms\": 200, \"value\": 0}", 0)), false,
        toBusy.offerId()));
    // both wait for the one slot; the one at risk asked last
    agent.tell(new RequestWork("a", onTime.ref(), "desk", 1, false));
    agent.tell(new RequestWork("b", late.ref(), "desk", 1, true));
    late.expectMessageClass(SlotsOffered.class, PATIENCE);
    onTime.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aResultOverTheLimitFailsItsTaskForGood() throws Exception {
    ActorRef<Worker> agent = agent(2, 16);
    TestProbe<JobSupervisor.Command> a = testKit.createTestProbe();
    agent.tell(new RequestWork("a", a.ref()));
    SlotsOffered offer = a.expectMessageClass(SlotsOffered.class);
    agent.tell(new RunTasks("a", a.ref(), offer.slots(), List.of(
        task("a", 0, "util.sum", "{\"value\": 12345678901234567}", 0),
        task("a", 1, "util.sum", "{\"value\": 123456}", 4),
        task("a", 2, "util.sum", "{\"value\": 1234}", 4)), false, offer.offerId()));
    Map<Integer, TaskFinished> done = new java.util.HashMap<>();
    for (int k = 0; k < 3; k++) {
      TaskFinished f = a.expectMessageClass(TaskFinished.class,
          PATIENCE);
      done.put(f.task(), f);
    }
    TaskFinished node = done.get(0);
    assertFalse(node.succeeded());
    assertTrue(node.permanent(), "the same result would be too large again");
    assertTrue(node.error().contains("17 bytes") && node.error().contains("16 bytes")
        && node.error().contains("calcgrid.limits.max-result-bytes")
        && node.error().contains("CALCGRID_MAX_RESULT_BYTES"), node.error());
    TaskFinished declared = done.get(1);
    assertFalse(declared.succeeded());
    assertTrue(declared.permanent());
    assertTrue(declared.error().contains("maxResultBytes (4)"), declared.error());
    assertTrue(done.get(2).succeeded(), "a result within both limits passes");
    assertEquals("1234", done.get(2).result());
  }
}
