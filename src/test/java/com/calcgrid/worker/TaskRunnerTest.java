package com.calcgrid.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.calcgrid.api.Json;
import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.pull.TaskAssignment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One attempt of one task, run by a real {@link TaskRunner} on its own calculation threads with
 * the built-in test functions: exactly one report for a success, a failure, a result over its
 * limit and a timeout, none for a cancel, and the runner stops after each.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaskRunnerTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
      "pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  private final FunctionRegistry functions = FunctionRegistry.load();
  private final ExecutorService calc = Executors.newFixedThreadPool(2);

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    calc.shutdownNow();
  }

  private static TaskAssignment task(String fn, String params, int attempt, long timeoutMs,
      long maxResultBytes) throws Exception {
    return new TaskAssignment("job", 7, "t[7]", attempt, 42, fn,
        (ObjectNode) Json.MAPPER.readTree(params), Map.of("dep", Json.MAPPER.readTree("2")),
        timeoutMs, maxResultBytes);
  }

  /** Runs {@code task}; the probe receives what the runner reports to its parent. */
  private ActorRef<TaskRunner.Command> run(TaskAssignment task, long nodeMaxResultBytes,
      TestProbe<TaskRunner.Finished> parent) {
    return testKit.spawn(TaskRunner.create(task, functions, calc, Json.MAPPER,
        nodeMaxResultBytes, parent.ref()));
  }

  @Test
  void aSuccessReportsTheResultAsJsonOnceAndStops() throws Exception {
    TestProbe<TaskRunner.Finished> parent = testKit.createTestProbe();
    TaskAssignment task = task("util.sum", "{\"value\": 40}", 1, 10_000, 1 << 20);
    ActorRef<TaskRunner.Command> runner = run(task, 1 << 20, parent);
    TaskRunner.Finished f = parent.expectMessageClass(TaskRunner.Finished.class, PATIENCE);
    assertTrue(f.succeeded(), f.error());
    assertEquals(task, f.assignment());
    JsonNode result = Json.MAPPER.readTree(f.result());
    assertEquals(42.0, result.asDouble(), "value plus the dependency's result");
    assertNull(f.error());
    assertTrue(f.finishedAt() >= f.startedAt());
    assertTrue(f.finishedNanos() >= f.startedNanos());
    parent.expectTerminated(runner, PATIENCE);
    parent.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aThrowingFunctionReportsItsMessageAsARetryableFailure() throws Exception {
    TestProbe<TaskRunner.Finished> parent = testKit.createTestProbe();
    run(task("util.fail", "{\"failTimes\": 3}", 2, 10_000, 1 << 20), 1 << 20, parent);
    TaskRunner.Finished f = parent.expectMessageClass(TaskRunner.Finished.class, PATIENCE);
    assertFalse(f.succeeded());
    assertFalse(f.permanent(), "another attempt may succeed");
    assertNull(f.result());
    assertEquals("util.fail: attempt 2 of the 3 that fail on purpose", f.error());
  }

  @Test
  void aResultOverTheLimitIsAPermanentFailureAndNeverLeavesTheWorker() throws Exception {
    TestProbe<TaskRunner.Finished> parent = testKit.createTestProbe();
    // the task declares 2 bytes and its result (1002) has more; the node allows more, the
    // task's own limit holds
    run(task("util.sum", "{\"value\": 1000}", 1, 10_000, 2), 1 << 20, parent);
    TaskRunner.Finished f = parent.expectMessageClass(TaskRunner.Finished.class, PATIENCE);
    assertFalse(f.succeeded());
    assertTrue(f.permanent(), "the same result would be as large again");
    assertNull(f.result());
    assertTrue(f.error().contains("more than the task's maxResultBytes (2)"), f.error());
  }

  @Test
  void aCalculationPastItsTimeoutIsInterruptedAndReportedOnce() throws Exception {
    TestProbe<TaskRunner.Finished> parent = testKit.createTestProbe();
    ActorRef<TaskRunner.Command> runner =
        run(task("util.sleep", "{\"ms\": 60000}", 1, 300, 1 << 20), 1 << 20, parent);
    TaskRunner.Finished f = parent.expectMessageClass(TaskRunner.Finished.class, PATIENCE);
    assertFalse(f.succeeded());
    assertFalse(f.permanent());
    assertEquals("timed out after 300 ms; the calculation was interrupted", f.error());
    parent.expectTerminated(runner, PATIENCE);
    // the interrupted calculation does not report a second end
    parent.expectNoMessage(Duration.ofMillis(500));
  }

  @Test
  void aCancelStopsTheRunnerWithoutAReport() throws Exception {
    TestProbe<TaskRunner.Finished> parent = testKit.createTestProbe();
    ActorRef<TaskRunner.Command> runner =
        run(task("util.sleep", "{\"ms\": 60000}", 1, 60_000, 1 << 20), 1 << 20, parent);
    runner.tell(TaskRunner.Cancel.INSTANCE);
    parent.expectTerminated(runner, PATIENCE);
    parent.expectNoMessage(Duration.ofMillis(500));
  }

  @Test
  void aFunctionThisNodeDoesNotHaveFailsTheAttemptWithItsName() throws Exception {
    TestProbe<TaskRunner.Finished> parent = testKit.createTestProbe();
    run(task("py.price", "{}", 1, 10_000, 1 << 20), 1 << 20, parent);
    TaskRunner.Finished f = parent.expectMessageClass(TaskRunner.Finished.class, PATIENCE);
    assertFalse(f.succeeded());
    assertEquals("function 'py.price' is not installed on this node", f.error());
  }
}
