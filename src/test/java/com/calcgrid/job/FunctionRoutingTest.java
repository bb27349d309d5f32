package com.calcgrid.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.api.Json;
import com.calcgrid.calc.ExternalFunctions;
import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphSpec;
import com.calcgrid.graph.GraphValidator;
import com.calcgrid.job.JobSettings;
import com.calcgrid.job.index.JobIndex;
import com.calcgrid.pull.RunTasks;
import com.calcgrid.pull.Serves;
import com.calcgrid.pull.SlotsOffered;
import com.calcgrid.pull.TaskAssignment;
import com.calcgrid.pull.Worker;
import com.calcgrid.store.Database;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A supervisor hands a worker only tasks of functions it serves: the in-JVM worker never gets a
 * task of an external function, an external worker only those it declared, and tasks nobody
 * serves wait READY.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FunctionRoutingTest {
  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      // any free port: a node running on this machine holds the default one
      .withFallback(ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0"))
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));
  private final Database db = Database.open(ConfigFactory.parseMap(Map.of(
      "url", "jdbc:h2:mem:routing-test;DB_CLOSE_DELAY=-1", "user", "sa", "password", "",
      "pool-size", 2, "connection-timeout", "3s")));
  private final JobIndex index = new JobIndex(db.dataSource(), Executors.newSingleThreadExecutor());
  private final TestProbe<Worker> worker = testKit.createTestProbe();
  private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
  private final FunctionRegistry functions =
      FunctionRegistry.load().withExternal(ExternalFunctions.parse("py.*"));
  private EventSourcedBehaviorTestKit<JobSupervisor.Command, JobEvent, JobState> kit;
  private long offers;

  // the external template comes first and has the higher priority: the in-JVM worker must be
  // handed the tasks behind it
  private static final String GRAPH = """
      {"name": "mixed", "tasks": [
        {"id": "p", "fn": "py.add", "forEach": {"param": "i", "range": [0, 3]}},
        {"id": "q", "fn": "py.other"},
        {"id": "s", "fn": "util.sum", "forEach": {"param": "i", "range": [0, 2]}},
        {"id": "z", "fn": "util.sum", "deps": ["p", "s"]}]}""";

  @BeforeEach
  void fresh() throws Exception {
    db.applySchema();
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), JobSupervisor.create(
            "route-" + offers, index, new JobSettings(1000, Duration.ofMinutes(1),
                Duration.ofMillis(5), Duration.ZERO), Json.MAPPER, shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    kit.clear();
    GraphSpec graph = GraphValidator.parseAndValidate(GRAPH.getBytes(StandardCharsets.UTF_8),
        functions, GraphLimits.DEFAULT);
    kit.<org.apache.pekko.pattern.StatusReply<JobSupervisor.Accepted>>runCommand(
        r -> new JobSupervisor.Submit(graph, "t", r));
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    db.close();
  }

  private RunTasks offer(int slots, Serves serves) {
    kit.runCommand(new SlotsOffered(slots, worker.ref(), "n1:1", ++offers, serves));
    return (RunTasks) worker.fishForMessage(Duration.ofSeconds(5), m -> m instanceof RunTasks
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore()).get(0);
  }

  private static List<String> ids(RunTasks run) {
    return run.tasks().stream().map(TaskAssignment::taskId).toList();
  }

  @Test
  void theJvmWorkerIsHandedOnlyFunctionsOfTheJvm() {
    RunTasks run = offer(10, Serves.allExcept(functions.external().patterns()));
    assertEquals(List.of("s[0]", "s[1]"), ids(run));
    assertFalse(run.moreReady(), "nothing else it could run is ready");
    assertEquals(3 + 1, kit.getState().count(TaskStatus.READY),
        "the external tasks wait READY");
    assertEquals("no worker serves py.add, py.other", waiting(),
        "both functions, highest priority first");
    assertEquals("no worker serves py.add", kit.<JobSupervisor.TaskReply>runCommand(
        r -> new JobSupervisor.GetTask("p[2]", r)).reply().task().waiting());
    assertEquals(null, kit.<JobSupervisor.TaskReply>runCommand(
        r -> new JobSupervisor.GetTask("z", r)).reply().task().waiting(), "z is not READY");
    offer(10, Serves.only(List.of("py.add", "py.other")));
    assertEquals(null, waiting(), "a worker that serves both took their tasks");
  }

  private String waiting() {
    return kit.<JobSupervisor.JobReply>runCommand(JobSupervisor.GetJob::new).reply().job()
        .waiting();
  }

  @Test
  void anExternalWorkerIsHandedOnlyWhatItDeclared() {
    RunTasks run = offer(10, Serves.only(List.of("py.add")));
    assertEquals(List.of("p[0]", "p[1]", "p[2]"), ids(run));
    assertFalse(run.moreReady());
    RunTasks other = offer(10, Serves.only(List.of("py.other@2")));
    assertTrue(other.tasks().isEmpty(), "py.other@2 is a version the graph did not name");
    RunTasks any = offer(10, Serves.only(List.of("py.other")));
    assertEquals(List.of("q"), ids(any));
    RunTasks jvm = offer(1, Serves.ALL);
    assertEquals(List.of("s[0]"), ids(jvm));
    assertTrue(jvm.moreReady());
  }
}
