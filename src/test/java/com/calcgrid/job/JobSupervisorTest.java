package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.api.Json;
import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphSpec;
import com.calcgrid.graph.GraphValidator;
import com.calcgrid.job.JobSettings;
import com.calcgrid.job.index.JobIndex;
import com.calcgrid.pull.RunTasks;
import com.calcgrid.pull.SlotsOffered;
import com.calcgrid.pull.TaskAssignment;
import com.calcgrid.pull.TaskFinished;
import com.calcgrid.pull.Worker;
import com.calcgrid.store.Database;
import com.calcgrid.testing.Api;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The supervisor on its own, with a probe in place of the worker: what it persists, what it
 * dispatches and when, and that recovery restores exactly the durable part of its state. Every
 * command and event is round-tripped through its serializer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobSupervisorTest {
  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      // any free port: a node running on this machine holds the default one
      .withFallback(ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0"))
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));
  private final Database db = Database.open(ConfigFactory.parseMap(Map.of(
      "url", "jdbc:h2:mem:supervisor-test;DB_CLOSE_DELAY=-1", "user", "sa", "password", "",
      "pool-size", 2, "connection-timeout", "3s")));
  private final JobIndex index = new JobIndex(db.dataSource(), Executors.newSingleThreadExecutor());
  private final TestProbe<Worker> worker = testKit.createTestProbe();
  private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
  private EventSourcedBehaviorTestKit<JobSupervisor.Command, JobEvent, JobState> kit;
  private long offers;

  private static final String GRAPH = """
      {"name": "t", "tasks": [
        {"id": "a", "fn": "util.sum", "params": {"value": 1}},
        {"id": "b", "fn": "util.sum", "deps": ["a"], "forEach": {"param": "i", "range": [0, 3]},
         "retry": {"maxAttempts": 2, "backoffMs": 10}, "timeoutMs": 100},
        {"id": "c", "fn": "util.sum", "deps": ["b"]}]}""";

  @BeforeEach
  void fresh() throws Exception {
    db.applySchema();
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), JobSupervisor.create("job-1", index,
            new JobSettings(1000, Duration.ofMinutes(1),
                Duration.ofMillis(5), Duration.ZERO), Json.MAPPER, shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    kit.clear();
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    db.close();
  }

  private GraphSpec graph() {
    return GraphValidator.parseAndValidate(GRAPH.getBytes(StandardCharsets.UTF_8),
        FunctionRegistry.load(), GraphLimits.DEFAULT);
  }

  private RunTasks offer(int slots) {
    kit.runCommand(new SlotsOffered(slots, worker.ref(), "n1:1", ++offers));
    return worker.expectMessageClass(RunTasks.class);
  }

  private void succeed(TaskAssignment a, String result) {
    kit.runCommand(new TaskFinished(a.task(), a.attempt(), a.dispatchId(), true,
        result, null, 1000, 2000, "n1:1"));
  }

  private JobState awaitState(java.util.function.Predicate<JobState> until) throws Exception {
    return Api.await(kit::getState, Duration.ofSeconds(10), until);
  }

  @Test
  void submissionIsPersistedBeforeItIsAcknowledgedAndOnlyRootsAreDispatched() {
    CommandResultWithReply<JobSupervisor.Command, JobEvent, JobState,
        StatusReply<JobSupervisor.Accepted>> result =
        kit.<StatusReply<JobSupervisor.Accepted>>runCommand(r -> new JobSupervisor.Submit(graph(), "desk-a", r));
    assertTrue(result.reply().isSuccess());
    assertTrue(result.reply().getValue().created());
    assertInstanceOf(JobEvent.JobSubmitted.class, result.event());
    assertEquals(5, result.state().taskCount());

    RunTasks run = offer(4);
    assertEquals(1, run.tasks().size(), "only a is ready");
    assertEquals("a", run.tasks().get(0).taskId());
    assertFalse(run.moreReady());

    CommandResultWithReply<JobSupervisor.Command, JobEvent, JobState,
        StatusReply<JobSupervisor.Accepted>> again =
        kit.<StatusReply<JobSupervisor.Accepted>>runCommand(r -> new JobSupervisor.Submit(graph(), "desk-a", r));
    assertFalse(again.reply().getValue().created(), "a second submit of one id is not a new job");
    assertTrue(again.hasNoEvents());
  }

  @Test
  void dependentsAreDispatchedOnlyAfterTheirDependencySuccessIsPersisted() throws Exception {
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(r -> new JobSupervisor.Submit(graph(), "desk-a", r));
    TaskAssignment a = offer(4).tasks().get(0);
    succeed(a, "1");
    awaitState(s -> s.statusOf(0) == TaskStatus.SUCCEEDED);
    RunTasks run = offer(2);
    assertEquals(List.of("b[0]", "b[1]"), run.tasks().stream().map(TaskAssignment::taskId).toList());
    assertEquals(Map.of("a", Json.MAPPER.readTree("1")), run.tasks().get(0).deps());
    assertEquals(1, run.tasks().get(1).params().get("i").asInt());
    assertTrue(run.moreReady());
  }

  @Test
  void recoveryKeepsFinishedTasksAndRequeuesWhatWasRunning() throws Exception {
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(r -> new JobSupervisor.Submit(graph(), "desk-a", r));
    succeed(offer(4).tasks().get(0), "1");
    awaitState(s -> s.statusOf(0) == TaskStatus.SUCCEEDED);
    List<TaskAssignment> running = offer(3).tasks();
    succeed(running.get(0), "2");
    awaitState(s -> s.statusOf(1) == TaskStatus.SUCCEEDED);

    kit.restart();
    JobState s = kit.getState();
    assertEquals(TaskStatus.SUCCEEDED, s.statusOf(0));
    assertEquals(TaskStatus.SUCCEEDED, s.statusOf(1));
    assertEquals(TaskStatus.READY, s.statusOf(2), "running is not durable: ready again");
    assertEquals(TaskStatus.READY, s.statusOf(3));
    assertEquals(TaskStatus.WAITING, s.statusOf(4));
    assertEquals(1000, s.startedAt(1));
    List<TaskAssignment> again = offer(4).tasks();
    assertEquals(List.of("b[1]", "b[2]"), again.stream().map(TaskAssignment::taskId).toList());
    assertEquals(1, again.get(0).attempt());
  }

  @Test
  void tasksWithTheMostEstimatedWorkAheadAreHandedOutFirstAlsoAfterRecovery() {
    GraphSpec spec = GraphValidator.parseAndValidate("""
        {"name": "cp", "tasks": [
          {"id": "short", "fn": "util.sum", "estimateMs": 10},
          {"id": "wide", "fn": "util.sum", "estimateMs": 50,
           "forEach": {"param": "i", "range": [0, 2]}},
          {"id": "long", "fn": "util.sum", "estimateMs": 100},
          {"id": "tail", "fn": "util.sum", "deps": ["long"], "estimateMs": 100}]}"""
        .getBytes(StandardCharsets.UTF_8), FunctionRegistry.load(), GraphLimits.DEFAULT);
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(r -> new JobSupervisor.Submit(spec, "desk-a", r));
    assertEquals(List.of("long"), ids(offer(1)), "the head of the critical path goes first");
    assertEquals(List.of("wide[0]", "wide[1]"), ids(offer(2)));

    kit.restart();
    assertEquals(List.of("long", "wide[0]", "wide[1]", "short"), ids(offer(8)),
        "the queue rebuilt after recovery keeps the same order");
  }

  private static List<String> ids(RunTasks run) {
    return run.tasks().stream().map(TaskAssignment::taskId).toList();
  }

  @Test
  void aReportFromASupersededDispatchIsIgnored() throws Exception {
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(r -> new JobSupervisor.Submit(graph(), "desk-a", r));
    TaskAssignment a = offer(4).tasks().get(0);
    kit.runCommand(new TaskFinished(a.task(), a.attempt(), a.dispatchId() + 1, true,
        "99", null, 1, 2, "elsewhere"));
    succeed(a, "1");
    JobState s = awaitState(st -> st.statusOf(0) == TaskStatus.SUCCEEDED);
    assertEquals("1", new String(s.result(0), StandardCharsets.UTF_8));
    assertEquals("n1:1", s.nodeName(0));
  }

  @Test
  void aSecondReportOfOneHandOutIsWrittenOnce() throws Exception {
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(r -> new JobSupervisor.Submit(graph(), "desk-a", r));
    succeed(offer(4).tasks().get(0), "1");
    awaitState(s -> s.statusOf(0) == TaskStatus.SUCCEEDED);
    TestProbe<JobUpdate> updates = testKit.createTestProbe();
    kit.runCommand(new JobSupervisor.Subscribe(updates.ref()));
    updates.expectMessageClass(JobUpdate.Snapshot.class);
    // b[2] stays ready and b[1] out, so b[0]'s outcome waits a moment for others to share its write
    List<TaskAssignment> b = offer(2).tasks();
    succeed(b.get(0), "2");
    succeed(b.get(0), "2");
    succeed(b.get(1), "3");
    awaitState(s -> s.statusOf(2) == TaskStatus.SUCCEEDED);
    int succeeded = 0;
    boolean sawB1 = false;
    while (!sawB1) {
      JobUpdate u = updates.receiveMessage(Duration.ofSeconds(5));
      if (u instanceof JobUpdate.Batch batch) {
        for (JobUpdate.TaskEvent e : batch.events()) {
          succeeded += e.type().equals("succeeded") && e.taskId().equals("b[0]") ? 1 : 0;
          sawB1 |= e.type().equals("succeeded") && e.taskId().equals("b[1]");
        }
      }
    }
    assertEquals(1, succeeded, "b[0]'s outcome is told (and written) once");
  }

  @Test
  void aFailedOutcomeWriteRestartsTheSupervisorFromWhatIsInTheJournal() throws Exception {
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(r -> new JobSupervisor.Submit(graph(), "desk-a", r));
    TaskAssignment a = offer(4).tasks().get(0);
    kit.persistenceTestKit().failNextPersisted();
    succeed(a, "1");
    // restarted with backoff and recovered: a's success never reached the journal
    JobState s = awaitState(st -> st.statusOf(0) == TaskStatus.READY);
    assertEquals(5, java.util.Arrays.stream(TaskStatus.values()).mapToInt(s::count).sum(),
        "every task counted once");
    assertEquals(1, s.count(TaskStatus.READY));
    TaskAssignment again = offer(4).tasks().get(0);
    assertEquals("a", again.taskId());
    succeed(again, "1");
    s = awaitState(st -> st.statusOf(0) == TaskStatus.SUCCEEDED);
    assertEquals(1, s.count(TaskStatus.SUCCEEDED));
    assertEquals(3, s.count(TaskStatus.READY));
  }

  @Test
  void aSubmissionWhoseWriteFailedLeavesNoJob() throws Exception {
    TestProbe<StatusReply<JobSupervisor.Accepted>> submitter = testKit.createTestProbe();
    kit.persistenceTestKit().failNextPersisted();
    kit.runCommand(new JobSupervisor.Submit(graph(), "desk-a", submitter.ref()));
    submitter.expectNoMessage(Duration.ofMillis(300));
    assertNull(Api.await(() -> kit.<JobSupervisor.JobReply>runCommand(JobSupervisor.GetJob::new)
        .reply(), Duration.ofSeconds(10), r -> r.job() == null).job(),
        "never acknowledged, never stored: no job");
  }

  @Test
  void aHandOutThatNeverReportsCountsAsAFailedAttemptAndRunsAgain() throws Exception {
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(r -> new JobSupervisor.Submit(graph(), "desk-a", r));
    succeed(offer(4).tasks().get(0), "1");
    awaitState(s -> s.statusOf(0) == TaskStatus.SUCCEEDED);
    // b[0] is handed out and its report is lost; b has maxAttempts 2 and timeoutMs 100
    TaskAssignment lost = offer(1).tasks().get(0);
    assertEquals("b[0]", lost.taskId());
    JobState s = awaitState(st -> st.attempt(lost.task()) == 1
        && st.statusOf(lost.task()) == TaskStatus.READY);
    assertTrue(s.error(lost.task()).contains("presumed lost"), s.error(lost.task()));
    // after its backoff it is handed out again, as its second attempt
    TaskAssignment again = Api.await(
        () -> offer(4).tasks().stream().filter(t -> t.task() == lost.task()).findFirst(),
        Duration.ofSeconds(10), java.util.Optional::isPresent).get();
    assertEquals(2, again.attempt());
    assertTrue(again.dispatchId() != lost.dispatchId());
  }

  @Test
  void anUnknownJobAnswersNotFoundAndPersistsNothing() {
    var reply = kit.runCommand(JobSupervisor.GetJob::new);
    assertNull(reply.reply().job());
    assertTrue(reply.hasNoEvents());
  }

  @Test
  void aTailOfEventsWithoutTheSubmissionRecoversAsNoJob() throws Exception {
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(r -> new JobSupervisor.Submit(graph(), "desk-a", r));
    succeed(offer(4).tasks().get(0), "1");
    awaitState(s -> s.statusOf(0) == TaskStatus.SUCCEEDED);
    kit.<JobSupervisor.CancelReply>runCommand(r -> new JobSupervisor.Cancel("test", r));
    List<Object> events = kit.persistenceTestKit().persistedInStorage("Job|job-1");
    assertTrue(events.size() >= 3 && events.get(0) instanceof JobEvent.JobSubmitted, "" + events);
    // what a supervisor reads while JobDeletion deletes the journal oldest event first
    for (int from = 1; from < events.size(); from++) {
      kit.initialize(events.subList(from, events.size()).toArray());
      assertTrue(kit.getState().isEmpty(), "recovered from event " + from);
      assertEquals(null, kit.<JobSupervisor.JobReply>runCommand(JobSupervisor.GetJob::new)
          .reply().job());
    }
  }
}
