package com.calcgrid.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.api.Json;
import com.calcgrid.job.JobSupervisor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every message of the pull protocol crosses nodes (a supervisor and a worker or gateway are
 * rarely on the same node), so each one must survive the node's serializer (Jackson CBOR, no
 * Java serialization) unchanged, with its actor references still reaching their actors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PullProtocolSerializationTest {
  private final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.port = 0""")
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));
  private final TestProbe<Worker> worker = testKit.createTestProbe();
  private final TestProbe<JobSupervisor.Command> supervisor = testKit.createTestProbe();

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  private <T> T roundTrip(T message) {
    return testKit.serializationTestKit().verifySerialization(message, true);
  }

  @Test
  void offersKeepWhatTheirWorkerServes() {
    for (Serves serves : List.of(Serves.ALL, Serves.allExcept(List.of("py.*", "r.model")),
        Serves.only(List.of("py.price", "py.price@2")))) {
      SlotsOffered back = roundTrip(new SlotsOffered(8, worker.ref(), "gw:8080/w-1", 42L,
          serves));
      assertEquals(serves.serves("py.price"), back.serves().serves("py.price"));
      assertEquals(serves.serves("util.sum"), back.serves().serves("util.sum"));
    }
    SlotsOffered jvm = roundTrip(new SlotsOffered(2, worker.ref(), "n1:2551", 7L));
    assertTrue(jvm.serves().everything());
    reaches(jvm.agent());
  }

  /** A reference that came back through the serializer still reaches its actor. */
  private void reaches(ActorRef<Worker> ref) {
    ref.tell(new CancelJob("j"));
    assertEquals("j", ((CancelJob) worker.receiveMessage()).jobId());
  }

  @Test
  void handOutsKeepParamsDepsInTheirOrderAndDispatchIds() {
    ObjectNode params = Json.MAPPER.createObjectNode().put("spot", 100).put("name", "ACME");
    params.putArray("strikes").add(90).add(110);
    Map<String, JsonNode> deps = new LinkedHashMap<>();
    deps.put("b", Json.MAPPER.getNodeFactory().numberNode(2));
    deps.put("a[0]", Json.MAPPER.createObjectNode().put("pv", "1.5"));
    TaskAssignment task = new TaskAssignment("job-1", 3, "price[3]", 2, Long.MAX_VALUE - 1,
        "py.price@2", params, deps, 30_000, 1 << 20);
    RunTasks back = roundTrip(new RunTasks("job-1", supervisor.ref(), 8, List.of(task), true,
        42L));
    assertEquals(List.of("b", "a[0]"), List.copyOf(back.tasks().get(0).deps().keySet()),
        "dependency order survives");
    RunTasks none = roundTrip(new RunTasks("job-1", supervisor.ref(), 8, List.of(), false, 43L));
    assertFalse(none.moreReady());
    roundTrip(new RequestWork("job-1", supervisor.ref()));
  }

  @Test
  void reportsCancellationAndLoadSurvive() {
    roundTrip(new TaskFinished(3, 2, 99L, true, "{\"pv\":1.5}", null, 1L, 2L, "gw:8080/w-1"));
    TaskFinished failed = roundTrip(new TaskFinished(4, 1, 100L, false, null,
        "result of 2000000 bytes is over the limit", true, 1L, 2L, "n1:2551"));
    assertTrue(failed.permanent());
    roundTrip(new CancelJob("job-1"));
    TestProbe<Load> loads = testKit.createTestProbe();
    roundTrip(new GetLoad(loads.ref()));
    roundTrip(new Load("n1:2551", 4, 2, 1, 3));
    Load external = roundTrip(new Load("gw:8080", 8, 8, 0, 1, "w-1 at 10.0.0.7"));
    assertEquals("w-1 at 10.0.0.7", external.external());
  }
}
