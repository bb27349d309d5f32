package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a supervisor hands out at once: never more than max-in-flight, never a task whose inputs
 * exceed max-input-bytes (it fails instead, before anything is built), and never more bytes in
 * one answer than max-input-bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandOutLimitsTest {
  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      // any free port: a node running on this machine holds the default one
      .withFallback(ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0"))
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));
  private final Database db = Database.open(ConfigFactory.parseMap(Map.of(
      "url", "jdbc:h2:mem:hand-out-limits-test;DB_CLOSE_DELAY=-1", "user", "sa", "password", "",
      "pool-size", 2, "connection-timeout", "3s")));
  private final JobIndex index = new JobIndex(db.dataSource(), Executors.newSingleThreadExecutor());
  private final TestProbe<Worker> worker = testKit.createTestProbe();
  private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
  private long offers;
  private int jobs;

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    db.close();
  }

  private EventSourcedBehaviorTestKit<JobSupervisor.Command, JobEvent, JobState> job(
      String graph, int maxInFlight, long maxInputBytes) throws Exception {
    db.applySchema();
    var kit = EventSourcedBehaviorTestKit.<JobSupervisor.Command, JobEvent, JobState>create(
        testKit.system(), JobSupervisor.create("limits-" + (++jobs), index,
            new JobSettings(1000, Duration.ofMinutes(1), Duration.ofMillis(5),
                Duration.ofMinutes(1), maxInFlight, 3, maxInputBytes), Json.MAPPER, shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    GraphSpec spec = GraphValidator.parseAndValidate(graph.getBytes(StandardCharsets.UTF_8),
        FunctionRegistry.load(), GraphLimits.DEFAULT);
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(r -> new JobSupervisor.Submit(spec, "d", r));
    return kit;
  }

  private RunTasks offer(
      EventSourcedBehaviorTestKit<JobSupervisor.Command, JobEvent, JobState> kit, int slots) {
    kit.runCommand(new SlotsOffered(slots, worker.ref(), "n1:1", ++offers));
    return worker.expectMessageClass(RunTasks.class);
  }

  private static void succeed(
      EventSourcedBehaviorTestKit<JobSupervisor.Command, JobEvent, JobState> kit,
      TaskAssignment a, String result) {
    kit.runCommand(new TaskFinished(a.task(), a.attempt(), a.dispatchId(), true,
        result, null, 1000, 2000, "n1:1"));
  }

  private static List<String> ids(RunTasks run) {
    return run.tasks().stream().map(TaskAssignment::taskId).toList();
  }

  @Test
  void noMoreThanMaxInFlightAreOutAndMoreFollowOnlyAsOutcomesAreWritten() throws Exception {
    var kit = job("""
        {"tasks": [{"id": "w", "fn": "util.sum", "forEach": {"param": "value", "range": [0, 10]}}]}
        """, 3, 1 << 20);
    RunTasks first = offer(kit, 10);
    assertEquals(3, first.tasks().size(), "three of ten slots: the allowance");
    assertFalse(first.moreReady(), "out of allowance: the supervisor asks again itself");
    assertEquals(0, offer(kit, 10).tasks().size());
    succeed(kit, first.tasks().get(0), "0");
    Api.await(kit::getState, Duration.ofSeconds(10), s -> s.statusOf(0) == TaskStatus.SUCCEEDED);
    assertEquals(1, offer(kit, 10).tasks().size(), "one outcome written, one more out");
  }

  @Test
  void aTaskWhoseInputsAreTooLargeFailsBeforeItIsHandedOutAndItsSiblingsRun() throws Exception {
    // each b receives 10 results of a: 10 x ("1" + "a[k]" + 4) = 90 bytes; 64 are allowed
    var kit = job("""
        {"tasks": [
          {"id": "a", "fn": "util.sum", "params": {"value": 1},
           "forEach": {"param": "i", "range": [0, 10]}},
          {"id": "b", "fn": "util.sum", "deps": ["a"]},
          {"id": "c", "fn": "util.sum", "deps": ["a[3]"]},
          {"id": "d", "fn": "util.sum", "deps": ["b"]}]}""", 100, 64);
    for (TaskAssignment a : offer(kit, 10).tasks()) {
      succeed(kit, a, "1");
    }
    Api.await(kit::getState, Duration.ofSeconds(10),
        s -> s.count(TaskStatus.SUCCEEDED) == 10);
    assertEquals(90, HandOuts.inputBytes(kit.getState(), 10));
    RunTasks run = offer(kit, 10);
    assertEquals(List.of("c"), ids(run), "b is not handed out");
    JobState s = Api.await(kit::getState, Duration.ofSeconds(10),
        st -> st.statusOf(10) == TaskStatus.FAILED);
    assertEquals(TaskStatus.SKIPPED, s.statusOf(12), "b's dependent can never run");
    String error = s.error(10);
    assertTrue(error.contains("90 bytes") && error.contains("64 bytes")
        && error.contains("calcgrid.limits.max-input-bytes")
        && error.contains("CALCGRID_MAX_INPUT_BYTES"), error);
    assertEquals(0, s.attempt(10), "it never ran");
    succeed(kit, run.tasks().get(0), "1");
    JobState done = Api.await(kit::getState, Duration.ofSeconds(10), st -> st.status.finished());
    assertEquals(JobStatus.FAILED, done.status);
    assertEquals(TaskStatus.SUCCEEDED, done.statusOf(11));
  }

  @Test
  void oneAnswerCarriesNoMoreThanMaxInputBytes() throws Exception {
    // each x receives r's result: 13 digits + "r" + 4 = 18 bytes; 64 hold three
    var kit = job("""
        {"tasks": [
          {"id": "r", "fn": "util.sum", "params": {"value": 1234567890123}},
          {"id": "x", "fn": "util.sum", "deps": ["r"],
           "forEach": {"param": "i", "range": [0, 10]}}]}""", 100, 64);
    succeed(kit, offer(kit, 4).tasks().get(0), "1234567890123");
    Api.await(kit::getState, Duration.ofSeconds(10), s -> s.statusOf(0) == TaskStatus.SUCCEEDED);
    RunTasks run = offer(kit, 10);
    assertEquals(List.of("x[0]", "x[1]", "x[2]"), ids(run));
    assertTrue(run.moreReady(), "the rest of the credit returns and the worker offers again");
    assertEquals(3, offer(kit, 10).tasks().size());
  }

  @Test
  void aPermanentFailureIsNotRetried() throws Exception {
    var kit = job("""
        {"tasks": [{"id": "big", "fn": "util.sum", "retry": {"maxAttempts": 3}}]}""", 100,
        1 << 20);
    TaskAssignment a = offer(kit, 1).tasks().get(0);
    kit.runCommand(new TaskFinished(a.task(), a.attempt(), a.dispatchId(), false,
        null, "the result is too large", true, 1000, 2000, "n1:1"));
    JobState s = Api.await(kit::getState, Duration.ofSeconds(10), st -> st.status.finished());
    assertEquals(TaskStatus.FAILED, s.statusOf(0));
    assertEquals(1, s.attempt(0));
  }
}
