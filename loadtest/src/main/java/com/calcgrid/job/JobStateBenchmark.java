package com.calcgrid.job;

import com.calcgrid.calc.FunctionRegistry;
import com.calcgrid.graph.GraphLimits;
import com.calcgrid.graph.GraphSpec;
import com.calcgrid.graph.GraphValidator;
import com.calcgrid.job.JobEvent.JobSubmitted;
import com.calcgrid.job.JobEvent.Outcome;
import com.calcgrid.job.JobEvent.TaskOutcome;
import com.calcgrid.job.JobEvent.TasksFinished;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The supervisor's hot path without actors or a journal: a 100k fan-out is submitted, every task
 * is handed out, and its outcomes are applied in events of 1,000, as a busy supervisor does.
 * Reported per task.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JobStateBenchmark {
  private static final int ITEMS = 100_000;
  private static final int TASKS = ITEMS + 2;

  private JobSubmitted submitted;
  private TaskOutcome[] outcomes;

  @Setup
  public void setUp() {
    String json = "{\"tasks\":[{\"id\":\"root\",\"fn\":\"util.sum\"},"
        + "{\"id\":\"item\",\"fn\":\"util.sum\",\"deps\":[\"root\"],"
        + "\"forEach\":{\"param\":\"value\",\"range\":[0," + ITEMS + "]}},"
        + "{\"id\":\"total\",\"fn\":\"util.sum\",\"deps\":[\"item\"]}]}";
    GraphSpec spec = GraphValidator.parseAndValidate(json.getBytes(StandardCharsets.UTF_8),
        FunctionRegistry.load(), GraphLimits.DEFAULT);
    submitted = new JobSubmitted("bench", spec, "default", 1L);
    outcomes = new TaskOutcome[TASKS];
    for (int i = 0; i < TASKS; i++) {
      outcomes[i] = new TaskOutcome(i, 1, Outcome.SUCCEEDED, 2L, 3L, "127.0.0.1:25520",
          Integer.toString(i), null);
    }
  }

  /** Submit, hand out ready tasks 1,000 at a time, apply their outcomes as one event. */
  @Benchmark
  @OperationsPerInvocation(TASKS)
  public JobState dispatchAndApply() {
    JobState s = new JobState().apply(submitted);
    int sent = 0;
    while (s.status == JobStatus.RUNNING) {
      List<TaskOutcome> batch = new ArrayList<>(1000);
      int i;
      while (batch.size() < 1000 && (i = s.takeReady(null)) >= 0) {
        s.markRunning(i, 2L, "127.0.0.1:25520");
        batch.add(outcomes[i]);
        sent++;
      }
      s.apply(new TasksFinished(4L, batch));
    }
    if (sent != TASKS) {
      throw new IllegalStateException("dispatched " + sent);
    }
    return s;
  }

  /** A snapshot copy of a finished 100k-task job (taken on the supervisor's thread). */
  @Benchmark
  @OperationsPerInvocation(TASKS)
  public JobSnapshot snapshot(Finished f) {
    return f.state.snapshot();
  }

  /** A finished 100k-task job. */
  @State(Scope.Benchmark)
  public static class Finished {
    JobState state;

    @Setup
    public void setUp(JobStateBenchmark b) {
      state = b.dispatchAndApply();
    }
  }
}
