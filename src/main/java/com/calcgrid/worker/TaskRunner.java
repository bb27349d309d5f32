package com.calcgrid.worker;

import com.calcgrid.pull.TaskAssignment;
import com.calcgrid.calc.CalcFunction;
import com.calcgrid.calc.CalcInput;
import com.calcgrid.calc.FunctionRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Runs one attempt of one task: the calculation on the calculation dispatcher, never on the
 * actor's own thread, with a timeout that interrupts it. Reports exactly one {@link Finished} to
 * its parent and stops; a cancel stops it without a report.
 */
final class TaskRunner extends AbstractBehavior<TaskRunner.Command> {

  sealed interface Command {}

  /** Stop the calculation: the job was cancelled. */
  enum Cancel implements Command { INSTANCE }

  private enum TimedOut implements Command { INSTANCE }

  /** @param permanent another attempt would fail the same way (a result over its limit) */
  private record Completed(String result, String error, boolean permanent, long startedAt,
      long startedNanos, long finishedNanos) implements Command {}

  /**
   * The attempt's end, for the parent to forward. {@code result} is JSON text; the nanos measure
   * the run time precisely, the millis are wall-clock times for people.
   */
  record Finished(
      TaskAssignment assignment,
      boolean succeeded,
      String result,
      String error,
      boolean permanent,
      long startedAt,
      long finishedAt,
      long startedNanos,
      long finishedNanos) {}

  private final TaskAssignment assignment;
  private final ActorRef<Finished> parent;
  private final FutureTask<Void> calculation;
  private final long dispatchedAt = System.currentTimeMillis();
  private final long dispatchedNanos = System.nanoTime();

  /** @param maxResultBytes the node's calcgrid.limits.max-result-bytes */
  static Behavior<Command> create(TaskAssignment assignment, FunctionRegistry functions,
      Executor calcExecutor, ObjectMapper mapper, long maxResultBytes,
      ActorRef<Finished> parent) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new TaskRunner(ctx, timers,
        assignment, functions, calcExecutor, mapper, maxResultBytes, parent)));
  }

  private TaskRunner(ActorContext<Command> ctx, TimerScheduler<Command> timers,
      TaskAssignment assignment, FunctionRegistry functions, Executor calcExecutor,
      ObjectMapper mapper, long maxResultBytes, ActorRef<Finished> parent) {
    super(ctx);
    this.assignment = assignment;
    this.parent = parent;
    ActorRef<Command> self = ctx.getSelf();
    Optional<CalcFunction> fn = functions.find(assignment.fn());
    long[] startedAt = {0, 0};
    this.calculation = new FutureTask<>(() -> {
      startedAt[0] = System.currentTimeMillis();
      startedAt[1] = System.nanoTime();
      JsonNode out = fn.orElseThrow(() -> new IllegalStateException(
          "function '" + assignment.fn() + "' is not installed on this node"))
          .apply(new CalcInput(assignment.taskId(), assignment.params(), assignment.deps(),
              assignment.attempt()));
      String json = mapper.writeValueAsString(out);
      String tooLarge = ResultLimit.check(json, assignment.maxResultBytes(), maxResultBytes);
      self.tell(tooLarge == null
          ? new Completed(json, null, false, startedAt[0], startedAt[1], System.nanoTime())
          : new Completed(null, tooLarge, true, startedAt[0], startedAt[1], System.nanoTime()));
      return null;
    }) {
      @Override
      protected void done() {
        if (isCancelled()) {
          return;
        }
        try {
          get();
        } catch (ExecutionException e) {
          self.tell(new Completed(null, describe(e.getCause()), false, startedAt[0],
              startedAt[1], System.nanoTime()));
        } catch (InterruptedException | CancellationException e) {
          // cancelled or timed out: the actor already reported
        }
      }
    };
    calcExecutor.execute(calculation);
    timers.startSingleTimer(TimedOut.INSTANCE, Duration.ofMillis(assignment.timeoutMs()));
  }

  static String describe(Throwable t) {
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getName() : message;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Completed.class, this::onCompleted)
        .onMessageEquals(TimedOut.INSTANCE, this::onTimedOut)
        .onMessageEquals(Cancel.INSTANCE, this::onCancel)
        .build();
  }

  private Behavior<Command> onCompleted(Completed c) {
    long started = c.startedAt() == 0 ? dispatchedAt : c.startedAt();
    long startedNanos = c.startedAt() == 0 ? dispatchedNanos : c.startedNanos();
    parent.tell(new Finished(assignment, c.error() == null, c.result(), c.error(),
        c.permanent(), started, System.currentTimeMillis(), startedNanos, c.finishedNanos()));
    return Behaviors.stopped();
  }

  private Behavior<Command> onTimedOut() {
    calculation.cancel(true);
    parent.tell(new Finished(assignment, false, null,
        "timed out after " + assignment.timeoutMs() + " ms; the calculation was interrupted",
        false, dispatchedAt, System.currentTimeMillis(), dispatchedNanos, System.nanoTime()));
    return Behaviors.stopped();
  }

  private Behavior<Command> onCancel() {
    calculation.cancel(true);
    return Behaviors.stopped();
  }
}
