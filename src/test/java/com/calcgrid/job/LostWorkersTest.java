package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hand-outs lost with their worker count against the task, durably: when the supervisor
 * survives the worker ({@link JobEvent.TasksLost} at once), and when it dies with it (durable
 * dispatch after a recovery, counted at the next recovery). A task that keeps killing its node
 * fails; its independent sibling does not.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LostWorkersTest {
  // local: the cluster receptionist would list the probe workers only in a formed cluster
  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      // any free port: a node running on this machine holds the default one
      .withFallback(ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0"))
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));
  private final Database db = Database.open(ConfigFactory.parseMap(Map.of(
      "url", "jdbc:h2:mem:lost-workers-test;DB_CLOSE_DELAY=-1", "user", "sa", "password", "",
      "pool-size", 2, "connection-timeout", "3s")));
  private final JobIndex index = new JobIndex(db.dataSource(), Executors.newSingleThreadExecutor());
  private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
  private EventSourcedBehaviorTestKit<JobSupervisor.Command, JobEvent, JobState> kit;
  private long offers;
  private int jobs;

  /** p and s are independent; p is the one whose workers keep dying. */
  private static final String GRAPH = """
      {"name": "poison", "tasks": [
        {"id": "p", "fn": "util.sum", "params": {"value": 1}},
        {"id": "s", "fn": "util.sum", "params": {"value": 2}}]}""";

  @BeforeEach
  void fresh() throws Exception {
    db.applySchema();
    // a new job id per test: workers registered by an earlier test stay with the receptionist
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), JobSupervisor.create(
            "lost-" + (++jobs), index, new JobSettings(1000, Duration.ofMinutes(1),
                Duration.ofMillis(5), Duration.ofMinutes(1)), Json.MAPPER, shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    kit.clear();
    GraphSpec spec = GraphValidator.parseAndValidate(GRAPH.getBytes(StandardCharsets.UTF_8),
        FunctionRegistry.load(), GraphLimits.DEFAULT);
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(r -> new JobSupervisor.Submit(spec, "d", r));
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    db.close();
  }

  /** A worker the supervisor knows through the receptionist, and so watches. */
  private TestProbe<Worker> worker() {
    TestProbe<Worker> w = testKit.createTestProbe();
    testKit.system().receptionist().tell(Receptionist.register(Worker.KEY, w.ref()));
    return w;
  }

  private List<TaskAssignment> offer(TestProbe<Worker> w, int slots) {
    kit.runCommand(new SlotsOffered(slots, w.ref(), "n" + offers + ":1", ++offers));
    List<Worker> got = w.fishForMessage(Duration.ofSeconds(10), m ->
        m instanceof RunTasks ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    return ((RunTasks) got.get(got.size() - 1)).tasks();
  }

  private void succeed(TaskAssignment a) {
    kit.runCommand(new TaskFinished(a.task(), a.attempt(), a.dispatchId(), true,
        "2", null, 1000, 2000, "n:1"));
  }

  private JobState awaitState(java.util.function.Predicate<JobState> until) throws Exception {
    try {
      return Api.await(kit::getState, Duration.ofSeconds(10), until);
    } catch (AssertionError e) {
      JobState s = kit.getState();
      StringBuilder tasks = new StringBuilder();
      for (int i = 0; i < s.taskCount(); i++) {
        tasks.append("\n  ").append(i).append(": ").append(s.statusOf(i))
            .append(", lost ").append(s.lostWorkers(i))
            .append(s.writtenOut(i) ? ", written out" : "").append(", error ").append(s.error(i));
      }
      throw new AssertionError(e.getMessage() + ": job " + s.status + tasks, e);
    }
  }

  private static TaskAssignment find(List<TaskAssignment> tasks, String id) {
    return tasks.stream().filter(t -> t.taskId().equals(id)).findFirst().orElseThrow(
        () -> new AssertionError(id + " not handed out: " + tasks));
  }

  @Test
  void aWorkerGoneWithItsNodeCountsAgainstTheTaskAndTheThirdLossFailsIt() throws Exception {
    for (int death = 1; death <= 3; death++) {
      TestProbe<Worker> w = worker();
      // the supervisor watches a worker once the receptionist lists it
      List<TaskAssignment> out = Api.await(() -> offer(w, 2), Duration.ofSeconds(10),
          l -> l.stream().anyMatch(t -> t.taskId().equals("p")));
      if (death == 1) {
        succeed(find(out, "s"));
      }
      assertEquals(1, find(out, "p").attempt(), "a lost worker is not a failed attempt");
      w.stop();
      int expected = death;
      awaitState(s -> s.lostWorkers(0) == expected && s.statusOf(0) != TaskStatus.RUNNING);
    }
    JobState s = awaitState(st -> st.status == JobStatus.FAILED);
    assertEquals(TaskStatus.FAILED, s.statusOf(0));
    assertEquals(TaskStatus.SUCCEEDED, s.statusOf(1), "the independent sibling finished");
    String error = s.error(0);
    assertTrue(error.contains("lost 3 times") && error.contains("last on node n")
        && error.contains("not retried further")
        && error.contains("calcgrid.job.max-lost-workers"), error);

    kit.restart();
    JobState recovered = kit.getState();
    assertEquals(3, recovered.lostWorkers(0), "the count is in the journal");
    assertEquals(TaskStatus.FAILED, recovered.statusOf(0));
    JobSupervisor.TaskReply view = kit.<JobSupervisor.TaskReply>runCommand(
        r -> new JobSupervisor.GetTask("p", r)).reply();
    assertEquals(3, view.task().lostWorkers());
  }

  @Test
  void aSupervisorThatDiesWithItsWorkerCountsTheLossAtTheNextRecovery() throws Exception {
    TestProbe<Worker> w = testKit.createTestProbe();
    // the first death cannot be counted: nothing was written about the hand-out
    offer(w, 2);
    kit.restart();
    JobState first = awaitState(st -> st.durableDispatch);
    assertEquals(0, first.lostWorkers(0));
    assertEquals(0, first.writtenOutCount());
    for (int death = 1; death <= 3; death++) {
      List<TaskAssignment> out = offer(w, 2);
      find(out, "p");
      JobState written = kit.getState();
      assertTrue(written.writtenOut(0), "the hand-out is in the journal before it is sent");
      if (death == 1) {
        succeed(find(out, "s"));
        awaitState(st -> st.statusOf(1) == TaskStatus.SUCCEEDED && !st.writtenOut(1));
      }
      kit.restart();
      int expected = death;
      JobState after = awaitState(st -> st.lostWorkers(0) == expected);
      assertFalse(after.writtenOut(0));
    }
    JobState s = awaitState(st -> st.status == JobStatus.FAILED);
    assertEquals(TaskStatus.FAILED, s.statusOf(0));
    assertEquals(0, s.lostWorkers(1), "s finished before the supervisor died");
    assertTrue(s.error(0).contains("lost 3 times (last on node n"), s.error(0));
    assertEquals(JobStatus.FAILED, s.status);
    assertTrue(offer(w, 2).isEmpty(), "nothing is left to hand out");
  }

  @Test
  void aJobThatNeverRecoveredWritesNoHandOuts() throws Exception {
    TestProbe<Worker> w = testKit.createTestProbe();
    offer(w, 2);
    List<Object> written = kit.persistenceTestKit().persistedInStorage("Job|lost-" + jobs);
    assertEquals(1, written.size(), written.toString());
    assertTrue(written.get(0) instanceof JobEvent.JobSubmitted);
    assertEquals(0, kit.getState().writtenOutCount());
  }

  @Test
  void aSnapshotWrittenBeforeLostWorkersWereCountedStillLoads() throws Exception {
    JobState s = kit.getState();
    JobSnapshot snapshot = s.snapshot();
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    Serializer serializer = serialization.findSerializerFor(snapshot);
    byte[] bytes = serialization.serialize(snapshot).get();
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    ObjectNode tree = (ObjectNode) cbor.readTree(bytes);
    assertTrue(tree.has("lost"), tree.fieldNames().toString());
    tree.remove(List.of("lost", "out", "durableDispatch"));
    JobSnapshot old = (JobSnapshot) serialization.deserialize(cbor.writeValueAsBytes(tree),
        serializer.identifier(), Serializers.manifestFor(serializer, snapshot)).get();
    assertNull(old.lost());
    JobState loaded = JobState.fromSnapshot(old);
    assertEquals(0, loaded.lostWorkers(s.taskCount() - 1), "a count for every task");
    assertEquals(0, loaded.lostWorkers(0));
    assertEquals(0, loaded.writtenOutCount());
    assertFalse(loaded.durableDispatch);
  }
}
