package com.calcgrid.job;

import com.calcgrid.graph.CompiledGraph;
import com.calcgrid.graph.TaskTemplate;
import com.calcgrid.job.JobEvent.Outcome;
import com.calcgrid.job.JobEvent.TaskOutcome;
import com.calcgrid.job.JobSupervisor.Command;
import com.calcgrid.job.JobUpdate.TaskEvent;
import com.calcgrid.metrics.NodeMetrics;
import com.calcgrid.pull.CancelJob;
import com.calcgrid.pull.RequestWork;
import com.calcgrid.pull.RunTasks;
import com.calcgrid.pull.Serves;
import com.calcgrid.pull.TaskAssignment;
import com.calcgrid.pull.TaskFinished;
import com.calcgrid.pull.Worker;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntPredicate;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The tasks one supervisor has out on workers, and the workers it knows: which worker holds
 * which task under which dispatch id, which workers were told that the job has ready tasks, and
 * which functions each of them serves. Answers offers and finds hand-outs whose report is
 * overdue. Whether a task runs is {@link JobState}'s to say (RUNNING from its hand-out until its
 * outcome is written); this adds only what a report is checked against. Bounded by the
 * hand-outs allowed out, never by the size of the graph.
 */
final class HandOuts {
  /**
   * What an offer produced: the answer for the worker and, in durable dispatch, the tasks to
   * write as handed out before the answer is sent.
   *
   * @param started what subscribers are told once the answer is sent
   * @param durable null unless the hand-out must be written first
   * @param refused outcomes of tasks failed instead of handed out (their inputs were too
   *     large): they wait for a write like any other outcome
   */
  record Answer(ActorRef<Worker> agent, RunTasks run, List<TaskEvent> started, int[] durable,
      List<TaskOutcome> refused) {}

  /** Hand-outs of a worker that is gone. */
  record Lost(String node, int[] tasks) {}

  /**
   * Limits of one supervisor.
   *
   * @param maxInFlight hand-outs out plus outcomes not yet written, at most: every one of them
   *     may have to wait in the stash while a write is in progress, so this stays well below
   *     the stash's capacity and no worker report is ever dropped
   * @param maxInputBytes bytes of dependency results one task may receive, and one answer to an
   *     offer may carry (several tasks' together), so that a hand-out stays well under the
   *     remote frame size
   */
  record Limits(int maxInFlight, long maxInputBytes) {}

  /** Bytes per dependency entry beyond its result and task id, as encoded in a hand-out. */
  private static final int ENTRY_OVERHEAD = 4;

  private final String jobId;
  private final Limits limits;
  private final long reportGraceMillis;
  private final ActorRef<Command> self;
  private final JobViews views;
  private final NodeMetrics metrics;
  /** Known workers, and whether each has been told that we have ready tasks. */
  private final Map<ActorRef<Worker>, Boolean> workers = new HashMap<>();
  /** Whether the workers were last told that the job is at risk of missing its deadline. */
  private boolean toldAtRisk;
  /**
   * Per task out: what its report is checked against. The task is RUNNING in {@link JobState}
   * meanwhile, which also holds where it runs, since when and which attempt it is.
   */
  private final HandOutTable out = new HandOutTable();
  /** What each worker that offered runs, from its last offer (see {@link Serves}). */
  private final Unserved serves;
  /** Per distinct {@link Serves}: which of this job's templates it runs. A handful at most. */
  private final Map<Serves, boolean[]> templatesServed = new HashMap<>();
  /** Recovered, but what it means for the hand-outs is not written yet: hand out nothing. */
  private boolean held;
  private long nextDispatchId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;

  /**
   * @param reportGraceMillis how long past its own timeout a hand-out may stay silent before it
   *     counts as lost: a worker may hold it briefly in its queue, and a node that paused is
   *     given a fair chance
   */
  HandOuts(String jobId, ActorRef<Command> self, JobViews views, NodeMetrics metrics,
      long reportGraceMillis, Limits limits) {
    this.reportGraceMillis = reportGraceMillis;
    this.limits = limits;
    this.jobId = jobId;
    this.self = self;
    this.views = views;
    this.metrics = metrics;
    this.serves = views.unserved;
  }

  /**
   * Forgets the hand-outs after the supervisor recovered: they belong to an incarnation whose
   * state was rebuilt from the journal. Workers will be asked for work again.
   */
  void reset() {
    out.clear();
    workers.replaceAll((w, told) -> Boolean.FALSE);
  }

  /** Hand out nothing until {@link #release}: recovery has events to write first. */
  void hold() {
    held = true;
  }

  void release() {
    held = false;
  }

  /** Some hand-out is out on a worker. */
  boolean anyOut() {
    return !out.isEmpty();
  }

  /** @return true if the worker is new and should be watched */
  boolean addWorker(ActorRef<Worker> worker) {
    return workers.putIfAbsent(worker, Boolean.FALSE) == null;
  }

  /**
   * A worker's node is gone: forgets it and returns what it was running, or null if nothing.
   * The supervisor writes the loss ({@link JobEvent.TasksLost}) before it queues them again.
   */
  Lost workerGone(JobState s, ActorRef<Worker> worker) {
    workers.remove(worker);
    serves.gone(worker);
    int[] tasks = new int[out.size()];
    int n = 0;
    for (int slot = 0; slot < out.capacity(); slot++) {
      if (out.taskAt(slot) >= 0 && out.workerAt(slot).equals(worker)) {
        tasks[n++] = out.taskAt(slot);
      }
    }
    if (n == 0) {
      return null;
    }
    for (int k = 0; k < n; k++) {
      out.remove(tasks[k]);
    }
    // one worker is on one node
    return new Lost(s.nodeName(tasks[n - 1]), Arrays.copyOf(tasks, n));
  }

  /**
   * Asks again, on the periodic sweep, every worker that holds none of our hand-outs: a lost
   * request or offer must not leave ready tasks idle for good.
   *
   * @param buffered outcomes waiting for a write (they count against the allowance)
   */
  void remindWorkers(JobState s, int buffered) {
    Set<ActorRef<Worker>> busy = new HashSet<>();
    for (int slot = 0; slot < out.capacity(); slot++) {
      if (out.taskAt(slot) >= 0) {
        busy.add(out.workerAt(slot));
      }
    }
    workers.replaceAll((w, told) -> told && busy.contains(w));
    requestWork(s, buffered);
  }

  /**
   * Tells every worker not yet told that this job has ready tasks it may hand out.
   *
   * @param buffered outcomes waiting for a write (they count against the allowance)
   */
  void requestWork(JobState s, int buffered) {
    if (!s.isRunning() || held || allowance(buffered) <= 0 || s.nextReady(null) < 0) {
      return;
    }
    boolean atRisk = s.atRisk(System.currentTimeMillis());
    if (atRisk != toldAtRisk) {
      // the workers queue requests as they were told: tell them all again
      toldAtRisk = atRisk;
      workers.replaceAll((w, told) -> Boolean.FALSE);
    }
    for (Map.Entry<ActorRef<Worker>, Boolean> w : workers.entrySet()) {
      // a worker known to serve none of the ready tasks' functions is left alone until one is
      IntPredicate fits = fits(s, serves.of(w.getKey()));
      if (!w.getValue() && s.nextReady(fits) >= 0) {
        w.getKey().tell(new RequestWork(jobId, self, s.tenant, s.graph.spec().priorityRank(),
            atRisk));
        w.setValue(Boolean.TRUE);
      }
    }
  }

  /**
   * Which tasks a worker that serves {@code what} may receive, or null when it may receive any.
   * Tasks of functions that no connected worker serves simply stay READY: the job waits.
   */
  private IntPredicate fits(JobState s, Serves what) {
    if (what == null || what.everything()) {
      return null;
    }
    if (templatesServed.size() > 64) {
      templatesServed.clear();
    }
    CompiledGraph g = s.graph;
    boolean[] ok = templatesServed.computeIfAbsent(what, w -> {
      boolean[] t = new boolean[g.templateCount()];
      for (int k = 0; k < t.length; k++) {
        t[k] = w.serves(g.template(k).fn());
      }
      return t;
    });
    return i -> ok[g.templateOf(i)];
  }

  /** Hand-outs this supervisor may still have out (see {@link Limits#maxInFlight}). */
  private int allowance(int buffered) {
    return limits.maxInFlight() - out.size() - buffered;
  }

  /**
   * Picks the tasks for an offer of {@code slots} slots from {@code agent} on {@code node}: at
   * most the slots offered, the in-flight allowance and the bytes one answer may carry. A task
   * whose dependency results alone exceed {@link Limits#maxInputBytes} is failed instead,
   * before anything is built for it.
   *
   * @param buffered outcomes waiting for a write (they count against the allowance)
   * @param tellStarted build the started tasks' events (someone subscribes)
   */
  Answer offered(JobState s, ActorRef<Worker> agent, String node, int slots, Serves what,
      long offerId, int buffered, boolean tellStarted) {
    int allowance = held ? 0 : Math.max(0, allowance(buffered));
    int want = Math.min(slots, allowance);
    List<TaskAssignment> tasks = new ArrayList<>(Math.min(want, 1024));
    List<TaskEvent> started = tellStarted ? new ArrayList<>() : List.of();
    List<TaskOutcome> refused = List.of();
    long now = System.currentTimeMillis();
    long nowNanos = System.nanoTime();
    long bytes = 0;
    IntPredicate fits = null;
    if (s.isRunning()) {
      serves.offered(agent, what);
      fits = fits(s, what);
    }
    while (s.isRunning() && tasks.size() < want) {
      int i = s.nextReady(fits);
      if (i < 0) {
        break;
      }
      long need = inputBytes(s, i);
      if (need > limits.maxInputBytes()) {
        s.takeReady(fits);
        if (refused.isEmpty()) {
          refused = new ArrayList<>();
        }
        refused.add(refusal(s, i, need, now));
        continue;
      }
      if (!tasks.isEmpty() && bytes + need > limits.maxInputBytes()) {
        break;
      }
      s.takeReady(fits);
      bytes += need;
      metrics.taskQueueWait(nowNanos - s.readySince());
      long dispatchId = nextDispatchId++;
      TaskAssignment a = assignment(s, i, dispatchId);
      tasks.add(a);
      s.markRunning(i, now, node);
      out.put(i, dispatchId, agent,
          System.nanoTime() + (a.timeoutMs() + reportGraceMillis) * 1_000_000);
      if (tellStarted) {
        started.add(new TaskEvent("started", a.taskId(), a.attempt(), now, node, null));
      }
    }
    boolean more = s.isRunning() && s.nextReady(fits) >= 0;
    // Out of allowance: say no more, and ask again once outcomes are written. Otherwise the
    // agent keeps a supervisor that said "more" in its queue; if not, we must ask again.
    boolean askAgain = more && tasks.size() < allowance;
    workers.computeIfPresent(agent, (w, told) -> askAgain);
    int[] durable = null;
    if (s.durableDispatch() && !tasks.isEmpty()) {
      durable = new int[tasks.size()];
      for (int k = 0; k < durable.length; k++) {
        durable[k] = tasks.get(k).task();
      }
    }
    return new Answer(agent, new RunTasks(jobId, self, slots, tasks, askAgain, offerId),
        started, durable, refused);
  }

  /** Sends an answer (in durable dispatch: once its hand-out is written). */
  void send(Answer answer) {
    answer.agent().tell(answer.run());
    metrics.tasksDispatched(answer.run().tasks().size());
  }

  /**
   * The bytes of what task i would receive: its dependencies' results and task ids, counted
   * from the stored result bytes without building anything.
   */
  static long inputBytes(JobState s, int i) {
    CompiledGraph g = s.graph;
    int t = g.templateOf(i);
    long total = 0;
    for (int e = g.depStart(t); e < g.depEnd(t); e++) {
      int one = g.depTask(e);
      int d = g.depTemplate(e);
      int first = g.firstTask(d);
      int from = one == CompiledGraph.ALL ? first : one;
      int to = one == CompiledGraph.ALL ? g.endTask(d) : one + 1;
      TaskTemplate dep = g.template(d);
      int idLength = dep.id().length() + ENTRY_OVERHEAD;
      boolean expanded = dep.forEach() != null;
      for (int k = from; k < to; k++) {
        total += s.resultLength(k) + idLength + (expanded ? 2 + digits(k - first) : 0);
      }
    }
    return total;
  }

  private static int digits(int n) {
    int d = 1;
    while (n >= 10) {
      n /= 10;
      d++;
    }
    return d;
  }

  private TaskAssignment assignment(JobState s, int i, long dispatchId) {
    CompiledGraph g = s.graph;
    int t = g.templateOf(i);
    Map<String, JsonNode> deps = new LinkedHashMap<>();
    for (int e = g.depStart(t); e < g.depEnd(t); e++) {
      int one = g.depTask(e);
      int from = one == CompiledGraph.ALL ? g.firstTask(g.depTemplate(e)) : one;
      int to = one == CompiledGraph.ALL ? g.endTask(g.depTemplate(e)) : one + 1;
      for (int k = from; k < to; k++) {
        deps.put(g.taskId(k), views.result(s, k));
      }
    }
    TaskTemplate tpl = g.template(t);
    return new TaskAssignment(jobId, i, g.taskId(i), s.attempt(i) + 1, dispatchId, tpl.fn(),
        g.params(i), deps, tpl.timeoutMs(), tpl.maxResultBytes());
  }

  /** The failure of a task whose inputs are too large to hand out; it never ran. */
  private TaskOutcome refusal(JobState s, int i, long bytes, long now) {
    return new TaskOutcome(i, s.attempt(i), Outcome.FAILED, now, now, null, null,
        "the results of its dependencies total " + bytes + " bytes (with their task ids), more"
            + " than a task may receive: " + limits.maxInputBytes() + " bytes"
            + " (calcgrid.limits.max-input-bytes, CALCGRID_MAX_INPUT_BYTES). Aggregate in"
            + " stages, or have dependencies return less");
  }

  /**
   * A worker's report as the outcome to write, or null when it is ignored: the job no longer
   * runs, the task is unknown or has ended, or the report is not to be taken ({@link #settle}).
   */
  TaskOutcome reported(JobState s, TaskFinished f) {
    int i = f.task();
    if (!s.isRunning() || i < 0 || i >= s.taskCount() || s.statusOf(i).terminal()
        || !settle(s, i, f.dispatchId())) {
      return null;
    }
    Outcome outcome = f.succeeded() ? Outcome.SUCCEEDED
        : f.permanent() || f.attempt() >= s.maxAttempts(i) ? Outcome.FAILED
        : Outcome.RETRYING;
    return new TaskOutcome(i, f.attempt(), outcome, f.startedAt(), f.finishedAt(), f.node(),
        f.result(), f.error());
  }

  /**
   * A worker reported the end of hand-out {@code dispatchId} of {@code task}: forgets the
   * hand-out and returns true, or false when the report is not to be taken: the task was
   * handed out again since and the report is from the old hand-out, or the task is no longer
   * out but still RUNNING, so the outcome of its hand-out waits for a write already. A report
   * of a task this incarnation did not hand out (before a restart, say) is taken: its outcome
   * is as good as any.
   */
  private boolean settle(JobState s, int task, long dispatchId) {
    int slot = out.find(task);
    if (slot < 0) {
      return s.statusOf(task) != TaskStatus.RUNNING;
    }
    if (out.dispatchIdAt(slot) != dispatchId) {
      return false;
    }
    out.remove(task);
    return true;
  }

  /**
   * Hand-outs whose report is overdue, as failed attempts: a message between nodes can be lost
   * (remoting delivers at most once), and a task must not wait for it forever.
   */
  List<TaskFinished> overdue(JobState s) {
    long now = System.nanoTime();
    List<TaskFinished> lost = new ArrayList<>();
    for (int slot = 0; slot < out.capacity(); slot++) {
      int i = out.taskAt(slot);
      if (i >= 0 && now - out.deadlineAt(slot) > 0) {
        // while a task is out, JobState keeps the attempt, node and start of its hand-out
        String node = s.nodeName(i);
        lost.add(new TaskFinished(i, s.attempt(i) + 1, out.dispatchIdAt(slot), false, null,
            "no report from node " + node + " within the task's timeout plus "
                + reportGraceMillis + " ms; the hand-out is presumed lost",
            s.startedAt(i), System.currentTimeMillis(), node));
      }
    }
    return lost;
  }

  /** Interrupts what is running on every worker; their late reports are then ignored. */
  void cancelRunning() {
    for (ActorRef<Worker> w : workers.keySet()) {
      w.tell(new CancelJob(jobId));
    }
    out.clear();
  }
}
